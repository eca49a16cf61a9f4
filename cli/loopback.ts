/** 127.x.x.x, ::1 and localhost: an address only this machine reaches (a listener there needs no transport security). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
