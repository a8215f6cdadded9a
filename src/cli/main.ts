/** The `secure-reporter` process: the command line run with this process's streams and environment. */
import { runCli } from './run-cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});
// A failed command may leave a pool or timer behind; it must still end with its code.
if (code !== 0) process.exit(code);
