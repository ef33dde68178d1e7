/** Every WGSL file in `shaders/`, by file name without extension. */
export type ShaderName = string;

/**
 * Loads a shader's source. The browser fetches the precached `.wgsl` asset; Node reads the file.
 * Both read the same files in `shaders/`, so a kernel exists exactly once.
 */
export type ShaderSource = (name: ShaderName) => Promise<string>;
