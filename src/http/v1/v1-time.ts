/** A time as v1 writes every time: UTC `YYYY-MM-DDTHH:MM:SSZ`, without milliseconds. */
export function v1Time(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
