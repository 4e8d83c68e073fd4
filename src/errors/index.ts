export * from './enums.js';
export * from './gerror.js';
export { toGError, strerror, ioErrorCodeFromErrno } from './errno.js';
