import type { Plugin } from 'vite';
export declare const ORT_PUBLIC_DIR: string;
export declare const ORT_WASM_FILES: string[];
export declare function ortDistDir(root?: string): string;
export declare function ortWasm(): Plugin;
