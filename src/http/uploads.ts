import { rm } from 'node:fs/promises';
import type { Context, Next } from 'koa';
import type { ExtendedFormidableOptions, ScalarOrArrayFiles } from 'koa-body';

/** A file of a multipart request, as the parser left it on disk. */
export type UploadedFile = Exclude<ScalarOrArrayFiles[string], unknown[]>;

/** A multipart part as the parser (formidable) reads it, before it is a field or a file. */
type Part = Parameters<NonNullable<ExtendedFormidableOptions['onPart']>>[0];

/**
 * koa-body's `onPart` for both dialects' multipart forms: a part with a `filename` parameter is
 * a file, with or without a Content-Type header (RFC 7578 makes it optional, text/plain by
 * default; the original server read such parts as files). formidable 3 takes a part without
 * one for a text field, so it is given the default first.
 */
export function filenameMeansFile(part: Part, handlePart: (part: Part) => void): void {
  if (part.originalFilename !== null && !part.mimetype) part.mimetype = 'text/plain';
  handlePart(part);
}

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
