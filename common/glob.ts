// Globs a user writes against paths relative to the analysed root (pins, migration overrides): `*` within a segment,
// `**` across segments, `?` one character; a leading `./` is ignored and a folder name covers everything under it.

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments; a trailing `**` matches the rest
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Whether a root-relative path is matched by a glob, or is under the folder it names. */
export function pathMatcher(glob: string): (path: string) => boolean {
  const pattern = glob.replace(/^\.\//, '');
  const re = globToRegExp(pattern);
  const folder = pattern.endsWith('/') ? pattern : `${pattern}/`;
  return (path) => re.test(path) || path.startsWith(folder);
}
