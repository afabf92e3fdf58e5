import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { lastOf, parseDockerfile, stageCopies, stageEnv, type Stage } from './dockerfile';

/** The runtime image, laid out in a temporary folder as the Dockerfile's last stage lays out /app. */
export interface ImageLayout {
  /** Stands for /app. */
  readonly appDir: string;
  /** Where `npm run build` is to write (the image's /app/dist). */
  readonly distDir: string;
  /** The image's ENV with /app moved to appDir. */
  readonly env: Readonly<Record<string, string>>;
  /** The image's USER, as numbers. */
  readonly user: { readonly uid: number; readonly gid: number };
  readonly cmd: readonly string[];
}

const IMAGE_ROOT = '/app';

/**
 * No docker here: instead, the runtime stage's files are put where its COPY
 * lines put them (the model, the alert rules), node_modules is
 * this repository's (what `npm ci` installed; the image's holds the same
 * production packages), and /app/data is made writable by the image's user
 * only, as the Dockerfile's RUN does. Everything else belongs to whoever runs the test.
 */
export function imageLayout(root: string): ImageLayout {
  const stages = parseDockerfile(join(root, 'Dockerfile'));
  const runtime: Stage = stages.at(-1)!;
  const appDir = join(mkdtempSync(join(tmpdir(), 'vigil-image-')), 'app');
  const rebase = (path: string) => (path === IMAGE_ROOT || path.startsWith(`${IMAGE_ROOT}/`) ? appDir + path.slice(IMAGE_ROOT.length) : path);
  chmodSync(join(appDir, '..'), 0o755);
  mkdirSync(appDir);

  for (const copy of stageCopies(runtime)) {
    const dest = rebase(posix.resolve(IMAGE_ROOT, copy.dest));
    if (copy.from === 'production-deps') symlinkSync(join(root, 'node_modules'), dest);
    if (copy.from !== undefined) continue;
    // Several sources or a trailing slash: into that folder; otherwise to that file.
    const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
    mkdirSync(intoFolder ? dest : join(dest, '..'), { recursive: true });
    for (const source of copy.sources) copyFileSync(join(root, source), intoFolder ? join(dest, basename(source)) : dest);
  }

  const [uid = NaN, gid = NaN] = lastOf(runtime, 'USER')!.rest.split(':').map(Number);
  const env = Object.fromEntries(Object.entries(stageEnv(runtime)).map(([name, value]) => [name, rebase(value)]));
  const dataDir = join(appDir, 'data');
  mkdirSync(dataDir);
  if (process.getuid?.() === 0) chownSync(dataDir, uid, gid);
  return { appDir, distDir: join(appDir, 'dist'), env, user: { uid, gid }, cmd: JSON.parse(lastOf(runtime, 'CMD')!.rest) as string[] };
}
