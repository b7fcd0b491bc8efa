;; The AdamW update of fused-adamw.ts with f32x4 SIMD, in place on tfjs-wasm's heap (see
;; wasm-simd.ts). Every step is one IEEE float32 operation (×, +, ÷, √ are correctly rounded in
;; WebAssembly), in the op chain's order, so the result is bit-identical to the op chain and to
;; the JS kernel. Pointers are byte addresses; one call updates n elements of one member.
(module
  {{memory}}

  ;; (p', m', v') for four lanes
  (func $step4 (param $p v128) (param $g v128) (param $m v128) (param $v v128)
    (param $s v128) (param $b1 v128) (param $c1 v128) (param $b2 v128) (param $c2 v128)
    (param $bc2 v128) (param $eps v128) (param $lr v128) (param $decay v128)
    (result v128 v128 v128)
    (local.set $g (f32x4.mul (local.get $g) (local.get $s)))
    (local.set $m (f32x4.add (f32x4.mul (local.get $m) (local.get $b1))
      (f32x4.mul (local.get $g) (local.get $c1))))
    (local.set $v (f32x4.add (f32x4.mul (local.get $v) (local.get $b2))
      (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (local.get $c2))))
    (f32x4.sub (f32x4.mul (local.get $p) (local.get $decay))
      (f32x4.mul
        (f32x4.div (local.get $m)
          (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v) (local.get $bc2))) (local.get $eps)))
        (local.get $lr)))
    (local.get $m)
    (local.get $v))

  ;; p' = p·decay − lr·m'/(√(v'/bc2) + eps), m' = β₁m + (1−β₁)·g·s, v' = β₂v + (1−β₂)·(g·s)²
  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $po i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $s f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $bc2 f32) (param $eps f32) (param $lr f32) (param $decay f32)
    (local $o i32) (local $end i32) (local $rp v128) (local $rm v128) (local $rv v128)
    (local $vs v128) (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128)
    (local $vbc2 v128) (local $veps v128) (local $vlr v128) (local $vdecay v128)
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $vbc2 (f32x4.splat (local.get $bc2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vlr (f32x4.splat (local.get $lr)))
    (local.set $vdecay (f32x4.splat (local.get $decay)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $done
      (loop $vloop
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (call $step4
          (v128.load (i32.add (local.get $p) (local.get $o)))
          (v128.load (i32.add (local.get $g) (local.get $o)))
          (v128.load (i32.add (local.get $m) (local.get $o)))
          (v128.load (i32.add (local.get $v) (local.get $o)))
          (local.get $vs) (local.get $vb1) (local.get $vc1) (local.get $vb2) (local.get $vc2)
          (local.get $vbc2) (local.get $veps) (local.get $vlr) (local.get $vdecay))
        (local.set $rv)
        (local.set $rm)
        (local.set $rp)
        (v128.store (i32.add (local.get $po) (local.get $o)) (local.get $rp))
        (v128.store (i32.add (local.get $mo) (local.get $o)) (local.get $rm))
        (v128.store (i32.add (local.get $vo) (local.get $o)) (local.get $rv))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vloop)))
    ;; the last n mod 4 elements one at a time
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (call $step4
          (v128.load32_splat (i32.add (local.get $p) (local.get $o)))
          (v128.load32_splat (i32.add (local.get $g) (local.get $o)))
          (v128.load32_splat (i32.add (local.get $m) (local.get $o)))
          (v128.load32_splat (i32.add (local.get $v) (local.get $o)))
          (local.get $vs) (local.get $vb1) (local.get $vc1) (local.get $vb2) (local.get $vc2)
          (local.get $vbc2) (local.get $veps) (local.get $vlr) (local.get $vdecay))
        (local.set $rv)
        (local.set $rm)
        (local.set $rp)
        (f32.store (i32.add (local.get $po) (local.get $o)) (f32x4.extract_lane 0 (local.get $rp)))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (f32x4.extract_lane 0 (local.get $rm)))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (f32x4.extract_lane 0 (local.get $rv)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tloop))))
)
