export { splitCsvLine } from './split-csv-line';
