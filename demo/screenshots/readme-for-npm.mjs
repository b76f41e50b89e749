// npm's registry page shows a README's images only from absolute URLs (a relative one resolves
// against a `repository`, which the package cannot name before it has a public home). So at
// `npm pack` / `npm publish` (prepack) the README's screenshots become jsDelivr URLs, for this
// version, of the small JPEG copies the tarball ships (demo/screenshots/npm); postpack puts the
// repository's README back.
//   node demo/screenshots/readme-for-npm.mjs pack | restore
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

// Outside what npm packs: a file named README* beside package.json would ship in the tarball.
const SAVED = '.cache/readme-for-npm';
const READMES = ['README.md', 'README.en.md'];

/** A README for npm's page: screenshots and links to the documents as jsDelivr URLs of this version's tarball. */
function forNpm(readme, cdn) {
  return readme
    .replace(/\]\(demo\/screenshots\/([\w-]+)\.png\)/g, (_, image) => {
      const copy = `demo/screenshots/npm/${image}.jpg`;
      if (!existsSync(copy)) throw new Error(`${copy} is missing: every README screenshot needs its JPEG copy for npm`);
      return `](${cdn}${copy})`;
    })
    .replace(/\]\(((?:docs\/[\w-]+|README(?:\.en)?|CHANGELOG|CONTRIBUTING)\.md|LICENSE)\)/g, (_, file) => `](${cdn}${file})`);
}

if (process.argv[2] === 'pack') {
  restore(); // a pack that died before postpack
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  mkdirSync(SAVED, { recursive: true });
  for (const file of READMES) {
    const readme = readFileSync(file, 'utf8');
    writeFileSync(`${SAVED}/${file}`, readme);
    writeFileSync(file, forNpm(readme, `https://cdn.jsdelivr.net/npm/${name}@${version}/`));
  }
} else if (process.argv[2] === 'restore') {
  restore();
} else {
  console.error('usage: node demo/screenshots/readme-for-npm.mjs pack | restore');
  process.exitCode = 2;
}

function restore() {
  for (const file of READMES) if (existsSync(`${SAVED}/${file}`)) renameSync(`${SAVED}/${file}`, file);
}
