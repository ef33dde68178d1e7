// Tap weights shared by the tricubic kernels (prepended to tricubic-zoom.wgsl and tricubic-points.wgsl
// when they load, so the formulas exist once). KERNEL 0: cubic B-spline (on prefiltered coefficients);
// 1: Catmull-Rom (on samples). t is the fraction past the second of the four taps. The operation order
// matches tapWeights() in src/lib/tensor/semantics.ts, the CPU reference.

override KERNEL: u32 = 0u;

fn tap_weights(t: f32) -> vec4f {
	let s = 1.0 - t;
	let t2 = t * t;
	let t3 = t2 * t;
	if (KERNEL == 0u) {
		let s2 = s * s;
		let s3 = s2 * s;
		return vec4f(s3 / 6.0, ((3.0 * t3 - 6.0 * t2) + 4.0) / 6.0, ((3.0 * s3 - 6.0 * s2) + 4.0) / 6.0, t3 / 6.0);
	}
	return vec4f((t2 - 0.5 * t3) - 0.5 * t, (1.5 * t3 - 2.5 * t2) + 1.0, (2.0 * t2 - 1.5 * t3) + 0.5 * t, 0.5 * t3 - 0.5 * t2);
}
