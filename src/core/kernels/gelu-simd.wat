;; Exact GELU x·Φ(x) and its derivative Φ(x) + x·φ(x) with f32x4 SIMD, in place on tfjs-wasm's
;; heap (see wasm-simd.ts and fused-gelu.ts for the formula: erf by Abramowitz & Stegun 7.1.26,
;; |error| ≤ 1.5e-7, whose exp(−x²/2) is also √(2π)·φ(x)). Pointers are byte addresses.
(module
  {{memory}}

  ;; e^x for four lanes: Cephes expf (range reduction by ln 2 in two parts, degree-6 polynomial),
  ;; within ~2 ulp of the true value. Inputs are clamped to [-87.3, 88.3] (so 2^n stays a normal
  ;; float); callers mask lanes whose true result is below ~1e-38.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x
      (f32x4.max
        (f32x4.min (local.get $x) (v128.const f32x4 88.3 88.3 88.3 88.3))
        (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $n
      (f32x4.nearest
        (f32x4.mul (local.get $x)
          (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $x)
          (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    ;; p·r² + r + 1
    (local.set $p
      (f32x4.add
        (f32x4.add
          (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r)))
          (local.get $r))
        (v128.const f32x4 1 1 1 1)))
    ;; · 2^n, built in the exponent field
    (f32x4.mul (local.get $p)
      (i32x4.shl
        (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127))
        (i32.const 23))))

  ;; (y, dy/dx) for four lanes
  (func $gelu4 (param $x v128) (result v128 v128)
    (local $z v128) (local $e v128) (local $t v128) (local $poly v128) (local $erf v128)
    (local $cdf v128)
    ;; z = |x|/√2, e = exp(−z²) (0 where z² > 87: below float range, and x·e must vanish)
    (local.set $z (f32x4.mul (f32x4.abs (local.get $x))
      (v128.const f32x4 0.70710678118654752 0.70710678118654752 0.70710678118654752 0.70710678118654752)))
    (local.set $t (f32x4.mul (local.get $z) (local.get $z)))
    (local.set $e
      (v128.and
        (call $exp4 (f32x4.neg (local.get $t)))
        (f32x4.lt (local.get $t) (v128.const f32x4 87 87 87 87))))
    (local.set $t
      (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.add (v128.const f32x4 1 1 1 1)
          (f32x4.mul (local.get $z) (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911)))))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $t)
      (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
      (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t))
      (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t))
      (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
    (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t))
      (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)))
    ;; erf(|x|/√2) = 1 − poly·t·e, so Φ(x) = 1 − h for x ≥ 0 and h for x < 0, h = poly·t·e/2
    ;; (taking h directly for x < 0 avoids the cancellation in 1 − erf)
    (local.set $erf
      (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
        (f32x4.mul (f32x4.mul (local.get $poly) (local.get $t)) (local.get $e))))
    (local.set $cdf
      (v128.bitselect
        (local.get $erf)
        (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $erf))
        (f32x4.lt (local.get $x) (v128.const f32x4 0 0 0 0))))
    (f32x4.mul (local.get $x) (local.get $cdf))
    (f32x4.add (local.get $cdf)
      (f32x4.mul (f32x4.mul (local.get $x) (local.get $e))
        (v128.const f32x4 0.39894228040143268 0.39894228040143268 0.39894228040143268 0.39894228040143268))))

  ;; y[i] = gelu(x[i]), g[i] = gelu'(x[i]) for i < n
  (func (export "gelu") (param $x i32) (param $y i32) (param $g i32) (param $n i32)
    (local $o i32) (local $end i32) (local $r1 v128) (local $r2 v128)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $done
      (loop $vloop
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (call $gelu4 (v128.load (i32.add (local.get $x) (local.get $o))))
        (local.set $r2)
        (local.set $r1)
        (v128.store (i32.add (local.get $y) (local.get $o)) (local.get $r1))
        (v128.store (i32.add (local.get $g) (local.get $o)) (local.get $r2))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vloop)))
    ;; the last n mod 4 elements one at a time
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (call $gelu4 (v128.load32_splat (i32.add (local.get $x) (local.get $o))))
        (local.set $r2)
        (local.set $r1)
        (f32.store (i32.add (local.get $y) (local.get $o)) (f32x4.extract_lane 0 (local.get $r1)))
        (f32.store (i32.add (local.get $g) (local.get $o)) (f32x4.extract_lane 0 (local.get $r2)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tloop))))
)
