// Cubic B-spline prefilter, one axis of a 3D box per dispatch (x, then y, then z make the coefficients).
// scipy's prefilter is a recursive filter with pole z = sqrt(3) - 2; as a finite filter it is
// c[k] = sqrt(3) * sum_{|j| <= HALO} z^|j| * s[k - j], and in float32 HALO = 12 matches it to ~2e-6.
// Each invocation computes one output element along `axis`: its taps come through `taps`, a table of
// source indices along that axis (output k reads taps[k + j], j = 0..2*HALO) that already folds, clamps
// or zeroes (-1) past the edges by the boundary mode, so the kernel itself knows no modes and a slab of a
// larger tensor is filtered exactly like the whole. Consecutive invocations write consecutive x, so
// passes along y and z read and write coalesced rows. With HALO = 0 and weight 1 it is a gather: the
// Catmull-Rom path uses it to extend the samples by the mode.

override WORKGROUP_SIZE: u32 = 256;
override HALO: u32 = 12;

struct Params {
	// Output box, x fastest.
	outDims: vec3u,
	// 0 = x, 1 = y, 2 = z.
	axis: u32,
	// Element strides of the input box along x, y, z.
	inStrides: vec3u,
	_pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<f32>;
@group(0) @binding(2) var<storage, read> taps: array<i32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> destination: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
	let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
	let dims = params.outDims;
	if (i >= dims.x * dims.y * dims.z) {
		return;
	}
	var position = vec3u(i % dims.x, (i / dims.x) % dims.y, i / (dims.x * dims.y));
	let k = position[params.axis];
	position[params.axis] = 0u;
	let base = dot(position, params.inStrides);
	let stride = params.inStrides[params.axis];
	var acc = 0.0;
	for (var j = 0u; j <= 2u * HALO; j++) {
		let s = taps[k + j];
		var v = 0.0;
		if (s >= 0) {
			v = source[base + u32(s) * stride];
		}
		acc += weights[j] * v;
	}
	destination[i] = acc;
}
