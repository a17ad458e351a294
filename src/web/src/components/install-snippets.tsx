import { CopyButton } from './copy-button.tsx';

export function snippets(token: string, origin = window.location.origin) {
  const config = `{ api_host: '${origin}' }`;
  return {
    html: `<script async src="${origin}/static/array.full.js"\n  onload="posthog.init('${token}', ${config})"></script>`,
    npm: `import posthog from 'posthog-js';\n\nposthog.init('${token}', ${config});`,
    node: `import { PostHog } from 'posthog-node';\n\nconst posthog = new PostHog('${token}', { host: '${origin}' });\nposthog.capture({ distinctId: 'user-42', event: 'signed up' });\nawait posthog.shutdown();`,
  };
}

function Snippet({ title, code }: { title: string; code: string }) {
  return (
    <div className="snippet">
      <div className="snippet-head"><h3>{title}</h3><CopyButton text={code} /></div>
      <pre><code>{code}</code></pre>
    </div>
  );
}

/** PostHog's own libraries, pointed at this server: the snippets say which URL and token to use. */
export function InstallSnippets({ token }: { token: string }) {
  const code = snippets(token);
  return (
    <div className="snippets">
      <Snippet title="In a web page (before </head>)" code={code.html} />
      <Snippet title="In a web app (npm install posthog-js)" code={code.npm} />
      <Snippet title="On a server (npm install posthog-node)" code={code.node} />
    </div>
  );
}
