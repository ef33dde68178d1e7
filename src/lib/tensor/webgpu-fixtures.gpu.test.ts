import { fixtureSuite } from './gpu-testing.ts';

// The smooth and polynomial cases (larger tensors) are in webgpu-fixtures-smooth.gpu.test.ts: SwiftShader is slow.
fixtureSuite('random-data cases', (c) => c.data === 'random');
