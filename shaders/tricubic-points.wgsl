// Tricubic sampling at arbitrary points (scipy's map_coordinates), one point per invocation.
// The host turns each coordinate into the index of its first of four coefficients per axis (starts,
// stored as three blocks z | y | x of `count` entries) and the fraction t (fracs, same layout). Points
// may lie anywhere, so taps outside the coefficient box read 0 when CONSTANT_OUTSIDE (grid-constant)
// and are clamped into it otherwise (nearest; the folding modes never leave it). `coefficients` holds
// only the planes [zFirst, zFirst + zCount) of the box (a slab of a large tensor; the host sends each
// point to a slab holding the part of its support inside the box), so reads are clamped into the slab
// too. The grid may be 2D when one dimension would exceed the adapter's workgroup-count limit.

override WORKGROUP_SIZE: u32 = 256u;
override CONSTANT_OUTSIDE: bool = false;

struct Params {
	coeffDims: vec3u,
	count: u32,
	zFirst: u32,
	zCount: u32,
	// Where the results start in `destination` (non-zero only for guard-band tests).
	outBase: u32,
	_pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> coefficients: array<f32>;
@group(0) @binding(2) var<storage, read> starts: array<i32>;
@group(0) @binding(3) var<storage, read> fracs: array<f32>;
@group(0) @binding(4) var<storage, read_write> destination: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
	let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
	let n = params.count;
	if (i >= n) {
		return;
	}
	let first = vec3i(starts[2u * n + i], starts[n + i], starts[i]);
	let wx = tap_weights(fracs[2u * n + i]);
	let wy = tap_weights(fracs[n + i]);
	let wz = tap_weights(fracs[i]);
	let dims = vec3i(params.coeffDims);
	let slabLo = vec3i(0, 0, i32(params.zFirst));
	let slabHi = vec3i(dims.x - 1, dims.y - 1, i32(params.zFirst + params.zCount) - 1);
	var acc = 0.0;
	for (var a = 0; a < 4; a++) {
		let z = first.z + a;
		var accY = 0.0;
		for (var b = 0; b < 4; b++) {
			let y = first.y + b;
			var accX = 0.0;
			for (var c = 0; c < 4; c++) {
				let p = vec3i(first.x + c, y, z);
				let inside = all(p >= vec3i(0)) && all(p < dims);
				let q = vec3u(clamp(p, slabLo, slabHi) - slabLo);
				var v = coefficients[(q.z * params.coeffDims.y + q.y) * params.coeffDims.x + q.x];
				if (CONSTANT_OUTSIDE && !inside) {
					v = 0.0;
				}
				accX += wx[c] * v;
			}
			accY += wy[b] * accX;
		}
		acc += wz[a] * accY;
	}
	destination[params.outBase + i] = acc;
}
