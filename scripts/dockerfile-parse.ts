/**
 * A small Dockerfile reader for the checks and the replay without Docker: stages of
 * instructions, with line continuations joined and comments dropped. It knows only the syntax our
 * Dockerfile uses; anything else is left for the callers to refuse.
 */
export interface Instruction {
  keyword: string;
  /** The text after the keyword. */
  args: string;
  line: number;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let joined = lines[i]!.trim();
    if (joined === '' || joined.startsWith('#')) continue;
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = `${joined.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    }
    const match = /^(\S+)\s*(.*)$/.exec(joined)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const [base, as, name] = args.split(/\s+/);
      stages.push({ base: base!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`);
    } else {
      stages.at(-1)!.instructions.push({ keyword, args, line: start });
    }
  }
  return stages;
}

/** `["node", "dist/main.js"]` → its words; a shell-form command → `['sh', '-c', text]`. */
export function commandWords(args: string): string[] {
  const text = args.trim();
  if (text.startsWith('[')) return JSON.parse(text) as string[];
  return ['sh', '-c', text];
}

/** HEALTHCHECK options and command, e.g. `--interval=15s CMD ["node", …]`. */
export function healthcheckCommand(args: string): string[] {
  const at = args.indexOf('CMD');
  if (at < 0) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return commandWords(args.slice(at + 3));
}
