// `cem analyze` reads the browser sources only: the server and sandbox are not custom elements.
export default {
  globs: ['src/browser/**/*.ts', 'src/index.ts'],
  outdir: '.',
  litelement: true,
};
