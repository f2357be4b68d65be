// Example kiln post-renderer in JavaScript: adds a label to every object.
//
// Configuration: `KEY=VALUE`, the label to add (default `kiln.dev/post-rendered=true`). kiln hands each object to
// post-renderers as JSON bytes; this plugin returns JSON bytes too.
//
// Build: `npm install && npm run build` (needs Node.js), then
// `kiln post-render --plugin examples/plugins/label-js/out/label.wasm=team=web < in.yaml`.

import { log } from 'kiln:plugin/log@0.1.0';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function parseConfig(config) {
  const text = config.trim();
  if (text === '') return ['kiln.dev/post-rendered', 'true'];
  const eq = text.indexOf('=');
  if (eq <= 0) {
    // Errors are returned by throwing the `plugin-error` variant as a plain object.
    throw { tag: 'invalid-config', val: { message: `expected KEY=VALUE, got \`${text}\``, location: undefined } };
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export const postRender = {
  postRender(documents, config) {
    const [key, value] = parseConfig(config);
    log('debug', `labelling ${documents.length} objects with ${key}=${value}`);
    return documents.map((doc) => {
      let obj;
      try {
        obj = JSON.parse(decoder.decode(doc.content));
      } catch (e) {
        throw { tag: 'invalid-input', val: { message: `not a JSON object: ${e}`, location: { file: doc.origin } } };
      }
      obj.metadata ??= {};
      obj.metadata.labels ??= {};
      obj.metadata.labels[key] = value;
      return { content: encoder.encode(JSON.stringify(obj)), origin: doc.origin };
    });
  },
};
