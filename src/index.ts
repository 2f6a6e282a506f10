/** The library entry point: `import { scan, compareVersions } from 'cavas'`. */
export { compareVersions } from './version/index.js';
export { scan, type ScanOptions } from './scan.js';
export { inventoryImage, type ImageInventory, type InventoryOptions } from './inventory.js';
export { CavasError, isCavasError } from './util/errors.js';
export * from './types.js';
