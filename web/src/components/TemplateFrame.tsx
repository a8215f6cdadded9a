/**
 * A template report's HTML in an iframe with `sandbox` and no allow-scripts: it gets an opaque
 * origin, so nothing in it can run script, read the session or touch this page.
 */
import { useQuery } from '@tanstack/react-query';
import { queryString, text } from '../api.ts';
import { queryKeys } from '../query-keys.ts';
import { ErrorState, LoadingState } from './States.tsx';

export function TemplateFrame({
  slug,
  params,
  title,
}: {
  slug: string;
  params: Record<string, unknown>;
  title: string;
}) {
  const html = useQuery({
    queryKey: queryKeys.template(slug, params),
    queryFn: ({ signal }) =>
      text(`/template/${encodeURIComponent(slug)}/${queryString({ ...params, template_only: 'Y' })}`, signal),
  });
  if (html.isPending) return <LoadingState label="Rendering the template" />;
  if (html.isError) return <ErrorState error={html.error} title="The template could not be rendered" />;
  return (
    <iframe
      className="template-frame"
      sandbox=""
      title={title}
      srcDoc={html.data}
      data-testid="template-frame"
    />
  );
}
