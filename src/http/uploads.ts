import { rm } from 'node:fs/promises';
import type { Context, Next } from 'koa';
import type { ScalarOrArrayFiles } from 'koa-body';

/** A file of a multipart request, as the parser left it on disk. */
export type UploadedFile = Exclude<ScalarOrArrayFiles[string], unknown[]>;

/** The first file uploaded under the first of `names` that has one. */
export function uploadedFile(ctx: Context, names: readonly string[]): UploadedFile | undefined {
  const files = ctx.request.files ?? {};
  for (const name of names) {
    const file = [files[name] ?? []].flat()[0];
    if (file) return file;
  }
  return undefined;
}

/** Deletes a request's uploaded files: by the end of a request the media store has its own copy. */
export async function discardUploads(ctx: Context): Promise<void> {
  const files = Object.values(ctx.request.files ?? {}).flat();
  await Promise.all(files.map((file) => rm(file.filepath, { force: true })));
}

/** Middleware: whatever the answer (a bad token, an unknown path, a refusal), the request's uploads go. */
export async function discardUploadsAfter(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } finally {
    // Most requests upload nothing: no promise to wait for then.
    if (ctx.request.files) await discardUploads(ctx);
  }
}
