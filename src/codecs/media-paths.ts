/** Where im clients fetch a media message's bytes: the `c` of `[[m]] t = "audio"`. */
export function imMediaPath(kind: string, mediaId: string): string {
  return `/file/${kind}/${mediaId}`;
}

/** Where v1 clients fetch them: the `url` of a media message. */
export function v1MediaPath(mediaId: string): string {
  return `/v1/media/${mediaId}`;
}
