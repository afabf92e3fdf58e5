export { VigilError, isVigilError } from './vigil-error';
