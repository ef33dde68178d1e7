// Tricubic zoom of one 3D coefficient box (a whole volume or a slab of it), one output tile per workgroup.
// Along each axis the zoom is separable: output index o reads four coefficients from starts[o] on, with
// weights from the fraction fracs[o]; the host computes both in double precision the way scipy does.
// A workgroup first loads its tile's footprint (FOOT_* coefficients per axis, from tileLo on: the tile's
// smallest start, so the halo is 1 below and 2 above the mapped span) into workgroup memory, with loads
// clamped into the coefficient box, then each invocation sums its 4x4x4 taps from there. Tap indices are
// clamped into the footprint and each invocation stores only its own voxel, and only when it lies inside
// the output, so no store leaves the tile. Sizes come from the host as override constants.

override TILE_X: u32 = 8u;
override TILE_Y: u32 = 8u;
override TILE_Z: u32 = 4u;
override FOOT_X: u32 = 8u;
override FOOT_Y: u32 = 8u;
override FOOT_Z: u32 = 6u;

struct Params {
	// Output box (x, y, z) and where it starts in `destination` (non-zero only for guard-band tests).
	outDims: vec3u,
	outBase: u32,
	coeffDims: vec3u,
	_pad0: u32,
	// Where each axis's entries start in `starts`/`fracs` and in `tileLo`.
	tapOffsets: vec3u,
	_pad1: u32,
	tileOffsets: vec3u,
	_pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> coefficients: array<f32>;
@group(0) @binding(2) var<storage, read> starts: array<i32>;
@group(0) @binding(3) var<storage, read> fracs: array<f32>;
@group(0) @binding(4) var<storage, read> tileLo: array<i32>;
@group(0) @binding(5) var<storage, read_write> destination: array<f32>;

var<workgroup> footprint: array<f32, FOOT_X * FOOT_Y * FOOT_Z>;

// One plane of the 4x4x4 stencil: rows along x weighted by wx, then summed along y by wy.
fn row(base: u32, xs: vec4u, wx: vec4f) -> f32 {
	return dot(wx, vec4f(footprint[base + xs.x], footprint[base + xs.y], footprint[base + xs.z], footprint[base + xs.w]));
}

fn plane(z: u32, ys: vec4u, xs: vec4u, wx: vec4f, wy: vec4f) -> f32 {
	return dot(wy, vec4f(row(z + ys.x, xs, wx), row(z + ys.y, xs, wx), row(z + ys.z, xs, wx), row(z + ys.w, xs, wx)));
}

@compute @workgroup_size(TILE_X, TILE_Y, TILE_Z)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) lane: u32) {
	let lo = vec3i(tileLo[params.tileOffsets.x + group.x], tileLo[params.tileOffsets.y + group.y], tileLo[params.tileOffsets.z + group.z]);
	let dims = vec3i(params.coeffDims);
	let footCount = FOOT_X * FOOT_Y * FOOT_Z;
	for (var i = lane; i < footCount; i += TILE_X * TILE_Y * TILE_Z) {
		let f = vec3i(vec3u(i % FOOT_X, (i / FOOT_X) % FOOT_Y, i / (FOOT_X * FOOT_Y)));
		let c = clamp(lo + f, vec3i(0), dims - 1);
		footprint[i] = coefficients[(u32(c.z) * params.coeffDims.y + u32(c.y)) * params.coeffDims.x + u32(c.x)];
	}
	workgroupBarrier();

	let o = group * vec3u(TILE_X, TILE_Y, TILE_Z) + local;
	if (any(o >= params.outDims)) {
		return;
	}
	let first = vec3i(starts[params.tapOffsets.x + o.x], starts[params.tapOffsets.y + o.y], starts[params.tapOffsets.z + o.z]) - lo;
	let wx = tap_weights(fracs[params.tapOffsets.x + o.x]);
	let wy = tap_weights(fracs[params.tapOffsets.y + o.y]);
	let wz = tap_weights(fracs[params.tapOffsets.z + o.z]);
	let top = vec3i(vec3u(FOOT_X, FOOT_Y, FOOT_Z)) - 1;
	let xs = vec4u(clamp(vec4i(first.x) + vec4i(0, 1, 2, 3), vec4i(0), vec4i(top.x)));
	let ys = vec4u(clamp(vec4i(first.y) + vec4i(0, 1, 2, 3), vec4i(0), vec4i(top.y))) * FOOT_X;
	let zs = vec4u(clamp(vec4i(first.z) + vec4i(0, 1, 2, 3), vec4i(0), vec4i(top.z))) * (FOOT_X * FOOT_Y);
	let acc = dot(wz, vec4f(plane(zs.x, ys, xs, wx, wy), plane(zs.y, ys, xs, wx, wy), plane(zs.z, ys, xs, wx, wy), plane(zs.w, ys, xs, wx, wy)));
	destination[params.outBase + (o.z * params.outDims.y + o.y) * params.outDims.x + o.x] = acc;
}
