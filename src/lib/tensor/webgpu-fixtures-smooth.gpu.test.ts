import { fixtureSuite } from './gpu-testing.ts';

fixtureSuite('smooth and cubic-polynomial cases', (c) => c.data !== 'random');
