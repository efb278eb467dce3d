// The README is read on the npm registry too, where a relative link goes nowhere: every
// link into the repository is absolute, and names a file that exists here.
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  repository: { url: string };
};
const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);

test('the README links somewhere, and no link is relative', () => {
  expect(links.length).toBeGreaterThan(5);
  expect(links.filter((link) => !/^(https?:|#)/.test(link))).toEqual([]);
});

test('every image is absolute too, and names a file that exists', () => {
  const raw = 'https://raw.githubusercontent.com/call-session-machine/call-session-machine/main/';
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  for (const image of images) {
    expect(image.startsWith(raw), image).toBe(true);
    expect(existsSync(new URL(`../${image.slice(raw.length)}`, import.meta.url)), image).toBe(true);
  }
});

test('every link into the repository names a file that exists', () => {
  const prefix = `${repository}/blob/main/`;
  const inRepository = links.filter((link) => link.startsWith(`${repository}/`));
  expect(inRepository.length).toBeGreaterThan(5);
  for (const link of inRepository) {
    expect(link.startsWith(prefix), link).toBe(true);
    const path = link.slice(prefix.length).split('#')[0]!;
    expect(existsSync(new URL(`../${path}`, import.meta.url)), path).toBe(true);
  }
});
