;; LayerNorm / RMSNorm over the last axis, forward and backward, with SIMD, in place on
;; tfjs-wasm's heap (see wasm-simd.ts; formulas in fused-norm.ts). x, y, x̂, dy, dx are [K, N, d],
;; g, b, dg, db [K, d], r [K, N]; pointers are byte addresses; d must be a multiple of 4.
;; Row statistics and the Σ over rows of dg, db run in float64 (f64x2), the element-wise parts in
;; float32 (f32x4); every sum in a fixed order.
(module
  {{memory}}

  ;; the four lanes of v as float64: low pair, high pair
  (func $lo (param $v v128) (result v128)
    (f64x2.promote_low_f32x4 (local.get $v)))
  (func $hi (param $v v128) (result v128)
    (f64x2.promote_low_f32x4
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
  (func $hsum2 (param $v v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v))))

  ;; Outputs y, x̂ [K, N, d] and r [K, N]. center ≠ 0: LayerNorm (mean removed, bias b added).
  (func (export "forward")
    (param $x i32) (param $g i32) (param $b i32) (param $y i32) (param $xh i32) (param $r i32)
    (param $K i32) (param $N i32) (param $d i32) (param $eps f64) (param $center i32)
    (local $k i32) (local $n i32) (local $o i32) (local $c i32) (local $rowB i32) (local $gk i32)
    (local $acc v128) (local $v v128) (local $w v128) (local $mu f64) (local $rs f64)
    (local $muv v128) (local $rv v128) (local $xv v128)
    (local.set $rowB (i32.shl (local.get $d) (i32.const 2)))
    (local.set $o (i32.const 0))
    (local.set $k (i32.const 0))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $gk (i32.mul (local.get $k) (local.get $rowB)))
        (local.set $n (i32.const 0))
        (block $ndone
          (loop $nloop
            (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
            ;; μ (LayerNorm only)
            (local.set $mu (f64.const 0))
            (if (local.get $center)
              (then
                (local.set $acc (v128.const i32x4 0 0 0 0))
                (local.set $c (i32.const 0))
                (block $mdone
                  (loop $mloop
                    (br_if $mdone (i32.ge_u (local.get $c) (local.get $rowB)))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c)))))
                    (local.set $acc (f64x2.add (local.get $acc)
                      (f64x2.add (call $lo (local.get $v)) (call $hi (local.get $v)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 16)))
                    (br $mloop)))
                (local.set $mu (f64.div (call $hsum2 (local.get $acc)) (f64.convert_i32_u (local.get $d))))))
            ;; Σ (x − μ)²
            (local.set $muv (f64x2.splat (local.get $mu)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (block $sdone
              (loop $sloop
                (br_if $sdone (i32.ge_u (local.get $c) (local.get $rowB)))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c)))))
                (local.set $w (f64x2.sub (call $lo (local.get $v)) (local.get $muv)))
                (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $w) (local.get $w))))
                (local.set $w (f64x2.sub (call $hi (local.get $v)) (local.get $muv)))
                (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $w) (local.get $w))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $sloop)))
            (local.set $rs
              (f64.div (f64.const 1)
                (f64.sqrt (f64.add
                  (f64.div (call $hsum2 (local.get $acc)) (f64.convert_i32_u (local.get $d)))
                  (local.get $eps)))))
            (f32.store
              (i32.add (local.get $r) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $N)) (local.get $n)) (i32.const 2)))
              (f32.demote_f64 (local.get $rs)))
            ;; x̂ = (x − μ)·r, y = x̂·g (+ b), in float32
            (local.set $muv (f32x4.splat (f32.demote_f64 (local.get $mu))))
            (local.set $rv (f32x4.splat (f32.demote_f64 (local.get $rs))))
            (local.set $c (i32.const 0))
            (block $wdone
              (loop $wloop
                (br_if $wdone (i32.ge_u (local.get $c) (local.get $rowB)))
                (local.set $xv
                  (f32x4.mul
                    (f32x4.sub (v128.load (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                      (local.get $muv))
                    (local.get $rv)))
                (v128.store (i32.add (local.get $xh) (i32.add (local.get $o) (local.get $c))) (local.get $xv))
                (local.set $xv (f32x4.mul (local.get $xv)
                  (v128.load (i32.add (local.get $g) (i32.add (local.get $gk) (local.get $c))))))
                (if (local.get $center)
                  (then
                    (local.set $xv (f32x4.add (local.get $xv)
                      (v128.load (i32.add (local.get $b) (i32.add (local.get $gk) (local.get $c))))))))
                (v128.store (i32.add (local.get $y) (i32.add (local.get $o) (local.get $c))) (local.get $xv))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $wloop)))
            (local.set $o (i32.add (local.get $o) (local.get $rowB)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $nloop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop))))

  ;; Outputs dx [K, N, d], dg (and db when center ≠ 0) [K, d]. Scratch: 4·d float64.
  (func (export "backward")
    (param $dy i32) (param $xh i32) (param $r i32) (param $g i32)
    (param $dx i32) (param $dg i32) (param $db i32)
    (param $K i32) (param $N i32) (param $d i32) (param $center i32) (param $scratch i32)
    (local $k i32) (local $n i32) (local $o i32) (local $c i32) (local $rowB i32) (local $gk i32)
    (local $ag i32) (local $ab i32) (local $a i32)
    (local $gy v128) (local $gh v128) (local $xv v128) (local $prod v128)
    (local $m1 v128) (local $m2 v128) (local $m1s f64) (local $m2s f64)
    (local $m1v v128) (local $m2v v128) (local $rv v128)
    (local.set $rowB (i32.shl (local.get $d) (i32.const 2)))
    ;; Σ_N dy·x̂ and Σ_N dy per column, float64: ag, ab (d doubles each)
    (local.set $ag (local.get $scratch))
    (local.set $ab (i32.add (local.get $scratch) (i32.shl (local.get $d) (i32.const 3))))
    (local.set $o (i32.const 0))
    (local.set $k (i32.const 0))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $gk (i32.mul (local.get $k) (local.get $rowB)))
        (local.set $c (i32.const 0))
        (block $zdone
          (loop $zloop
            (br_if $zdone (i32.ge_u (local.get $c) (i32.shl (local.get $d) (i32.const 3))))
            (v128.store (i32.add (local.get $ag) (local.get $c)) (v128.const i32x4 0 0 0 0))
            (v128.store (i32.add (local.get $ab) (local.get $c)) (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $zloop)))
        (local.set $n (i32.const 0))
        (block $ndone
          (loop $nloop
            (br_if $ndone (i32.ge_u (local.get $n) (local.get $N)))
            ;; m1 = Σ ĝ, m2 = Σ ĝ·x̂ (ĝ = dy·g) in float64; column sums on the way
            (local.set $m1 (v128.const i32x4 0 0 0 0))
            (local.set $m2 (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.const 0))
            (block $sdone
              (loop $sloop
                (br_if $sdone (i32.ge_u (local.get $c) (local.get $rowB)))
                (local.set $gy (v128.load (i32.add (local.get $dy) (i32.add (local.get $o) (local.get $c)))))
                (local.set $xv (v128.load (i32.add (local.get $xh) (i32.add (local.get $o) (local.get $c)))))
                (local.set $gh (f32x4.mul (local.get $gy)
                  (v128.load (i32.add (local.get $g) (i32.add (local.get $gk) (local.get $c))))))
                (local.set $m1 (f64x2.add (local.get $m1)
                  (f64x2.add (call $lo (local.get $gh)) (call $hi (local.get $gh)))))
                (local.set $prod (f32x4.mul (local.get $gh) (local.get $xv)))
                (local.set $m2 (f64x2.add (local.get $m2)
                  (f64x2.add (call $lo (local.get $prod)) (call $hi (local.get $prod)))))
                ;; ag[c..c+4] += dy·x̂, ab[c..c+4] += dy (byte offset 2c in the double arrays)
                (local.set $prod (f32x4.mul (local.get $gy) (local.get $xv)))
                (local.set $a (i32.add (local.get $ag) (i32.shl (local.get $c) (i32.const 1))))
                (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (call $lo (local.get $prod))))
                (v128.store offset=16 (local.get $a)
                  (f64x2.add (v128.load offset=16 (local.get $a)) (call $hi (local.get $prod))))
                (local.set $a (i32.add (local.get $ab) (i32.shl (local.get $c) (i32.const 1))))
                (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (call $lo (local.get $gy))))
                (v128.store offset=16 (local.get $a)
                  (f64x2.add (v128.load offset=16 (local.get $a)) (call $hi (local.get $gy))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $sloop)))
            (local.set $m1s
              (select
                (f64.div (call $hsum2 (local.get $m1)) (f64.convert_i32_u (local.get $d)))
                (f64.const 0)
                (local.get $center)))
            (local.set $m2s (f64.div (call $hsum2 (local.get $m2)) (f64.convert_i32_u (local.get $d))))
            (local.set $m1v (f32x4.splat (f32.demote_f64 (local.get $m1s))))
            (local.set $m2v (f32x4.splat (f32.demote_f64 (local.get $m2s))))
            (local.set $rv (v128.load32_splat
              (i32.add (local.get $r) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $N)) (local.get $n)) (i32.const 2)))))
            ;; dx = r·(ĝ − m1 − x̂·m2)
            (local.set $c (i32.const 0))
            (block $wdone
              (loop $wloop
                (br_if $wdone (i32.ge_u (local.get $c) (local.get $rowB)))
                (local.set $gh
                  (f32x4.mul
                    (v128.load (i32.add (local.get $dy) (i32.add (local.get $o) (local.get $c))))
                    (v128.load (i32.add (local.get $g) (i32.add (local.get $gk) (local.get $c))))))
                (v128.store (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $c)))
                  (f32x4.mul (local.get $rv)
                    (f32x4.sub (f32x4.sub (local.get $gh) (local.get $m1v))
                      (f32x4.mul
                        (v128.load (i32.add (local.get $xh) (i32.add (local.get $o) (local.get $c))))
                        (local.get $m2v)))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $wloop)))
            (local.set $o (i32.add (local.get $o) (local.get $rowB)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $nloop)))
        ;; dg, db out, rounded to float32
        (local.set $c (i32.const 0))
        (block $odone
          (loop $oloop
            (br_if $odone (i32.ge_u (local.get $c) (local.get $rowB)))
            (local.set $a (i32.add (local.get $ag) (i32.shl (local.get $c) (i32.const 1))))
            (v128.store (i32.add (local.get $dg) (i32.add (local.get $gk) (local.get $c)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (v128.load (local.get $a)))
                (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $a)))))
            (if (local.get $center)
              (then
                (local.set $a (i32.add (local.get $ab) (i32.shl (local.get $c) (i32.const 1))))
                (v128.store (i32.add (local.get $db) (i32.add (local.get $gk) (local.get $c)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                    (f32x4.demote_f64x2_zero (v128.load (local.get $a)))
                    (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $a)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $oloop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop))))
)
