// The insert thread's entry when Vigil runs from its TypeScript source (tsx):
// a worker thread does not inherit the process's tsx loader, so it registers
// its own before loading the thread. A build (scripts/build) compiles the
// thread into a bundle of its own instead, and does not use this file.
import { register } from 'tsx/esm/api';

register();
await import('./insert-thread-main.ts');
