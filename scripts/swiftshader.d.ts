export declare const SWIFTSHADER_ICD: string;
export declare function swiftShaderEnv(): Record<string, string>;
