// npm's registry page shows a README's images only from absolute URLs (a relative one resolves
// against a `repository`, which the package cannot name before it has a public home). So at
// `npm pack` / `npm publish` (prepack) the README's screenshots become jsDelivr URLs, for this
// version, of the small JPEG copies the tarball ships (demo/screenshots/npm); postpack puts the
// repository's README back.
//   node demo/screenshots/readme-for-npm.mjs pack | restore
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

// Outside what npm packs: a file named README* beside package.json would ship in the tarball.
const SAVED = '.cache/README.md.repo';

if (process.argv[2] === 'pack') {
  if (existsSync(SAVED)) renameSync(SAVED, 'README.md'); // a pack that died before postpack
  const readme = readFileSync('README.md', 'utf8');
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const packed = readme.replace(/\]\(demo\/screenshots\/([\w-]+)\.png\)/g, (_, image) => {
    const copy = `demo/screenshots/npm/${image}.jpg`;
    if (!existsSync(copy)) throw new Error(`${copy} is missing: every README screenshot needs its JPEG copy for npm`);
    return `](https://cdn.jsdelivr.net/npm/${name}@${version}/${copy})`;
  });
  mkdirSync('.cache', { recursive: true });
  writeFileSync(SAVED, readme);
  writeFileSync('README.md', packed);
} else if (process.argv[2] === 'restore') {
  if (existsSync(SAVED)) renameSync(SAVED, 'README.md');
} else {
  console.error('usage: node demo/screenshots/readme-for-npm.mjs pack | restore');
  process.exitCode = 2;
}
