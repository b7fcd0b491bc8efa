;; Causal multi-head self-attention, forward and backward, with f32x4 SIMD, computing in place on
;; tfjs-wasm's heap (see wasm-simd.ts and fused-attention.ts for the formulas). All pointers are
;; byte addresses of float32 data; q, k, v, y, dq, dk, dv are [M, T, d] with head h in columns
;; [h·hd, (h+1)·hd); p (the probabilities) is [M, H, T, T]. Requires hd = d/H a multiple of 4.
;; Every sum runs in a fixed order (no data-dependent order), so results are deterministic.
;;
;; Scores and dP are computed four keys at a time against a per-head transposed copy of K (resp.
;; V) in scratch, [hd, Tp] with Tp = T rounded up to 4 and the padding zeroed; masked lanes
;; (key j > query i) are overwritten before they can count. Outputs rows are written whole (hd
;; floats), so nothing outside the tensors is touched.
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

  ;; lane0 + lane1 + lane2 + lane3, in that order
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
        (f32x4.extract_lane 2 (local.get $v)))
      (f32x4.extract_lane 3 (local.get $v))))

  ;; dst[c·Tp + j] = src[j·rowB + 4c] for j < T, c < hd; dst[c·Tp + j] = 0 for T ≤ j < Tp.
  (func $transposeHead (param $src i32) (param $dst i32) (param $T i32) (param $Tp i32)
    (param $hd i32) (param $rowB i32)
    (local $j i32) (local $c i32)
    (local.set $c (i32.const 0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $hd)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $T)))
            (f32.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $c) (local.get $Tp)) (local.get $j)) (i32.const 2)))
              (f32.load
                (i32.add (local.get $src)
                  (i32.add (i32.mul (local.get $j) (local.get $rowB)) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (block $pdone
          (loop $ploop
            (br_if $pdone (i32.ge_u (local.get $j) (local.get $Tp)))
            (f32.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $c) (local.get $Tp)) (local.get $j)) (i32.const 2)))
              (f32.const 0))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ploop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))

  ;; out[jv] = Σ_c splat(a[c]) · bt[c·Tp + 4jv .. +4] for jv < nv (a: hd floats; bt: [hd, Tp]).
  (func $rowTimesT (param $a i32) (param $bt i32) (param $out i32) (param $nv i32) (param $hd i32)
    (param $Tp i32)
    (local $jv i32) (local $c i32) (local $acc v128) (local $pb i32) (local $strideB i32)
    (local.set $strideB (i32.shl (local.get $Tp) (i32.const 2)))
    (local.set $jv (i32.const 0))
    (block $done
      (loop $jloop
        (br_if $done (i32.ge_u (local.get $jv) (local.get $nv)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $pb (i32.add (local.get $bt) (i32.shl (local.get $jv) (i32.const 4))))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $hd)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load32_splat (i32.add (local.get $a) (i32.shl (local.get $c) (i32.const 2))))
                  (v128.load (local.get $pb)))))
            (local.set $pb (i32.add (local.get $pb) (local.get $strideB)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cloop)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $jv) (i32.const 4))) (local.get $acc))
        (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
        (br $jloop))))

  ;; out[0..hd) = scale · Σ_{j<n} w[j] · rows[j·rowB .. +hd] (w: n floats; rows strided).
  (func $weightedRows (param $w i32) (param $rows i32) (param $n i32) (param $rowB i32)
    (param $hd i32) (param $out i32) (param $scale f32)
    (local $cb i32) (local $j i32) (local $acc v128) (local $pr i32) (local $hdB i32)
    (local.set $hdB (i32.shl (local.get $hd) (i32.const 2)))
    (local.set $cb (i32.const 0))
    (block $done
      (loop $cloop
        (br_if $done (i32.ge_u (local.get $cb) (local.get $hdB)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $pr (i32.add (local.get $rows) (local.get $cb)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load32_splat (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
                  (v128.load (local.get $pr)))))
            (local.set $pr (i32.add (local.get $pr) (local.get $rowB)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (v128.store (i32.add (local.get $out) (local.get $cb))
          (f32x4.mul (local.get $acc) (f32x4.splat (local.get $scale))))
        (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
        (br $cloop))))

  ;; Forward. Outputs y [M, T, d] and p [M, H, T, T]. Scratch: (hd·Tp + hd + Tp) floats.
  (func (export "forward")
    (param $q i32) (param $k i32) (param $v i32) (param $y i32) (param $p i32)
    (param $M i32) (param $T i32) (param $d i32) (param $H i32) (param $scale f32)
    (param $scratch i32)
    (local $hd i32) (local $Tp i32) (local $rowB i32) (local $kt i32) (local $qs i32) (local $s i32)
    (local $m i32) (local $h i32) (local $col i32) (local $i i32) (local $j i32) (local $c i32)
    (local $nv i32) (local $jv i32) (local $pRow i32) (local $qi i32)
    (local $mx v128) (local $sum v128) (local $mxs f32) (local $inv v128) (local $e v128)
    (local.set $hd (i32.div_u (local.get $d) (local.get $H)))
    (local.set $Tp (i32.and (i32.add (local.get $T) (i32.const 3)) (i32.const -4)))
    (local.set $rowB (i32.shl (local.get $d) (i32.const 2)))
    (local.set $kt (local.get $scratch))
    (local.set $qs (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $hd) (local.get $Tp)) (i32.const 2))))
    (local.set $s (i32.add (local.get $qs) (i32.shl (local.get $hd) (i32.const 2))))
    (local.set $pRow (local.get $p))
    (local.set $m (i32.const 0))
    (block $mdone
      (loop $mloop
        (br_if $mdone (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $h (i32.const 0))
        (block $hdone
          (loop $hloop
            (br_if $hdone (i32.ge_u (local.get $h) (local.get $H)))
            ;; byte offset of this (m, h) block's first element
            (local.set $col
              (i32.shl
                (i32.add (i32.mul (i32.mul (local.get $m) (local.get $T)) (local.get $d))
                  (i32.mul (local.get $h) (local.get $hd)))
                (i32.const 2)))
            (call $transposeHead (i32.add (local.get $k) (local.get $col)) (local.get $kt)
              (local.get $T) (local.get $Tp) (local.get $hd) (local.get $rowB))
            (local.set $i (i32.const 0))
            (block $idone
              (loop $iloop
                (br_if $idone (i32.ge_u (local.get $i) (local.get $T)))
                (local.set $qi (i32.add (local.get $col) (i32.mul (local.get $i) (local.get $rowB))))
                ;; q̃ = float32(s·q_i)
                (local.set $c (i32.const 0))
                (block $cdone
                  (loop $cloop
                    (br_if $cdone (i32.ge_u (local.get $c) (local.get $hd)))
                    (f32.store (i32.add (local.get $qs) (i32.shl (local.get $c) (i32.const 2)))
                      (f32.mul (local.get $scale)
                        (f32.load (i32.add (i32.add (local.get $q) (local.get $qi))
                          (i32.shl (local.get $c) (i32.const 2))))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cloop)))
                (local.set $nv (i32.shr_u (i32.add (local.get $i) (i32.const 4)) (i32.const 2)))
                (call $rowTimesT (local.get $qs) (local.get $kt) (local.get $s) (local.get $nv)
                  (local.get $hd) (local.get $Tp))
                ;; masked lanes (i < j < 4·nv) must not win the max
                (local.set $j (i32.add (local.get $i) (i32.const 1)))
                (block $mkdone
                  (loop $mkloop
                    (br_if $mkdone (i32.ge_u (local.get $j) (i32.shl (local.get $nv) (i32.const 2))))
                    (f32.store (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 2)))
                      (f32.const -inf))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $mkloop)))
                ;; row max
                (local.set $mx (v128.load (local.get $s)))
                (local.set $jv (i32.const 1))
                (block $mxdone
                  (loop $mxloop
                    (br_if $mxdone (i32.ge_u (local.get $jv) (local.get $nv)))
                    (local.set $mx (f32x4.max (local.get $mx)
                      (v128.load (i32.add (local.get $s) (i32.shl (local.get $jv) (i32.const 4))))))
                    (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
                    (br $mxloop)))
                (local.set $mxs
                  (f32.max
                    (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
                    (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
                (local.set $mx (f32x4.splat (local.get $mxs)))
                ;; e = exp(s − max), masked lanes zeroed, then the sum
                (local.set $sum (v128.const i32x4 0 0 0 0))
                (local.set $jv (i32.const 0))
                (block $edone
                  (loop $eloop
                    (br_if $edone (i32.ge_u (local.get $jv) (local.get $nv)))
                    (local.set $e
                      (call $exp4 (f32x4.sub
                        (v128.load (i32.add (local.get $s) (i32.shl (local.get $jv) (i32.const 4))))
                        (local.get $mx))))
                    ;; lanes j > i: keep 0 (j = 4jv + lane)
                    (local.set $e
                      (v128.and (local.get $e)
                        (i32x4.le_s
                          (i32x4.add (i32x4.splat (i32.shl (local.get $jv) (i32.const 2)))
                            (v128.const i32x4 0 1 2 3))
                          (i32x4.splat (local.get $i)))))
                    (v128.store (i32.add (local.get $s) (i32.shl (local.get $jv) (i32.const 4)))
                      (local.get $e))
                    (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
                    (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
                    (br $eloop)))
                (local.set $inv (f32x4.splat (call $hsum (local.get $sum))))
                (local.set $jv (i32.const 0))
                (block $ndone
                  (loop $nloop
                    (br_if $ndone (i32.ge_u (local.get $jv) (local.get $nv)))
                    (v128.store (i32.add (local.get $s) (i32.shl (local.get $jv) (i32.const 4)))
                      (f32x4.div
                        (v128.load (i32.add (local.get $s) (i32.shl (local.get $jv) (i32.const 4))))
                        (local.get $inv)))
                    (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
                    (br $nloop)))
                ;; the probabilities row: P_ij for j ≤ i, 0 after
                (local.set $j (i32.const 0))
                (block $pdone
                  (loop $ploop
                    (br_if $pdone (i32.ge_u (local.get $j) (local.get $T)))
                    (f32.store (i32.add (local.get $pRow) (i32.shl (local.get $j) (i32.const 2)))
                      (select
                        (f32.load (i32.add (local.get $s) (i32.shl (local.get $j) (i32.const 2))))
                        (f32.const 0)
                        (i32.le_u (local.get $j) (local.get $i))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $ploop)))
                (local.set $pRow (i32.add (local.get $pRow) (i32.shl (local.get $T) (i32.const 2))))
                ;; y_i = Σ_{j ≤ i} P_ij v_j
                (call $weightedRows (local.get $s) (i32.add (local.get $v) (local.get $col))
                  (i32.add (local.get $i) (i32.const 1)) (local.get $rowB) (local.get $hd)
                  (i32.add (local.get $y) (local.get $qi)) (f32.const 1))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $iloop)))
            (local.set $h (i32.add (local.get $h) (i32.const 1)))
            (br $hloop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mloop))))

  ;; Backward. Outputs dq, dk, dv [M, T, d].
  ;; Scratch: (T·hd (q̃) + hd·Tp (Vᵀ) + 2·T·hd (dK, dV sums) + 2·Tp (P row, dS row)) floats.
  (func (export "backward")
    (param $dy i32) (param $q i32) (param $k i32) (param $v i32) (param $p i32)
    (param $dq i32) (param $dk i32) (param $dv i32)
    (param $M i32) (param $T i32) (param $d i32) (param $H i32) (param $scale f32)
    (param $scratch i32)
    (local $hd i32) (local $Tp i32) (local $rowB i32) (local $hdB i32)
    (local $qs i32) (local $vt i32) (local $dka i32) (local $dva i32) (local $pr i32) (local $ds i32)
    (local $m i32) (local $h i32) (local $col i32) (local $i i32) (local $j i32) (local $c i32)
    (local $nv i32) (local $jv i32) (local $pRow i32) (local $yi i32) (local $cb i32)
    (local $a i32) (local $b i32) (local $tv v128) (local $t v128) (local $w v128) (local $pw v128)
    (local $pv v128)
    (local.set $hd (i32.div_u (local.get $d) (local.get $H)))
    (local.set $hdB (i32.shl (local.get $hd) (i32.const 2)))
    (local.set $Tp (i32.and (i32.add (local.get $T) (i32.const 3)) (i32.const -4)))
    (local.set $rowB (i32.shl (local.get $d) (i32.const 2)))
    (local.set $qs (local.get $scratch))
    (local.set $vt (i32.add (local.get $qs) (i32.mul (local.get $T) (local.get $hdB))))
    (local.set $dka (i32.add (local.get $vt) (i32.mul (local.get $Tp) (local.get $hdB))))
    (local.set $dva (i32.add (local.get $dka) (i32.mul (local.get $T) (local.get $hdB))))
    (local.set $pr (i32.add (local.get $dva) (i32.mul (local.get $T) (local.get $hdB))))
    (local.set $ds (i32.add (local.get $pr) (i32.shl (local.get $Tp) (i32.const 2))))
    (local.set $pRow (local.get $p))
    (local.set $m (i32.const 0))
    (block $mdone
      (loop $mloop
        (br_if $mdone (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $h (i32.const 0))
        (block $hdone
          (loop $hloop
            (br_if $hdone (i32.ge_u (local.get $h) (local.get $H)))
            (local.set $col
              (i32.shl
                (i32.add (i32.mul (i32.mul (local.get $m) (local.get $T)) (local.get $d))
                  (i32.mul (local.get $h) (local.get $hd)))
                (i32.const 2)))
            ;; q̃ = float32(s·q) as [T, hd]; dK, dV sums zeroed
            (local.set $i (i32.const 0))
            (block $qdone
              (loop $qloop
                (br_if $qdone (i32.ge_u (local.get $i) (local.get $T)))
                (local.set $cb (i32.const 0))
                (block $qcdone
                  (loop $qcloop
                    (br_if $qcdone (i32.ge_u (local.get $cb) (local.get $hdB)))
                    (local.set $a (i32.add (i32.mul (local.get $i) (local.get $hdB)) (local.get $cb)))
                    (v128.store (i32.add (local.get $qs) (local.get $a))
                      (f32x4.mul (f32x4.splat (local.get $scale))
                        (v128.load (i32.add (i32.add (local.get $q) (local.get $col))
                          (i32.add (i32.mul (local.get $i) (local.get $rowB)) (local.get $cb))))))
                    (v128.store (i32.add (local.get $dka) (local.get $a)) (v128.const i32x4 0 0 0 0))
                    (v128.store (i32.add (local.get $dva) (local.get $a)) (v128.const i32x4 0 0 0 0))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $qcloop)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $qloop)))
            (call $transposeHead (i32.add (local.get $v) (local.get $col)) (local.get $vt)
              (local.get $T) (local.get $Tp) (local.get $hd) (local.get $rowB))
            (local.set $i (i32.const 0))
            (block $idone
              (loop $iloop
                (br_if $idone (i32.ge_u (local.get $i) (local.get $T)))
                (local.set $yi (i32.add (local.get $col) (i32.mul (local.get $i) (local.get $rowB))))
                (local.set $nv (i32.shr_u (i32.add (local.get $i) (i32.const 4)) (i32.const 2)))
                ;; P row into scratch: P_ij for j ≤ i, 0 up to 4·nv
                (local.set $j (i32.const 0))
                (block $prdone
                  (loop $prloop
                    (br_if $prdone (i32.ge_u (local.get $j) (i32.shl (local.get $nv) (i32.const 2))))
                    (f32.store (i32.add (local.get $pr) (i32.shl (local.get $j) (i32.const 2)))
                      (select
                        ;; the address is clamped: lanes past the row must not read past p
                        (f32.load (i32.add (local.get $pRow) (i32.shl
                          (select (local.get $j) (local.get $i) (i32.le_u (local.get $j) (local.get $i)))
                          (i32.const 2))))
                        (f32.const 0)
                        (i32.le_u (local.get $j) (local.get $i))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $prloop)))
                (local.set $pRow (i32.add (local.get $pRow) (i32.shl (local.get $T) (i32.const 2))))
                ;; dP_ij = dy_i·v_j (four keys at a time), then t = Σ_j P_ij dP_ij
                (call $rowTimesT (i32.add (local.get $dy) (local.get $yi)) (local.get $vt)
                  (local.get $ds) (local.get $nv) (local.get $hd) (local.get $Tp))
                (local.set $tv (v128.const i32x4 0 0 0 0))
                (local.set $jv (i32.const 0))
                (block $tdone
                  (loop $tloop
                    (br_if $tdone (i32.ge_u (local.get $jv) (local.get $nv)))
                    (local.set $tv (f32x4.add (local.get $tv)
                      (f32x4.mul
                        (v128.load (i32.add (local.get $pr) (i32.shl (local.get $jv) (i32.const 4))))
                        (v128.load (i32.add (local.get $ds) (i32.shl (local.get $jv) (i32.const 4)))))))
                    (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
                    (br $tloop)))
                (local.set $t (f32x4.splat (call $hsum (local.get $tv))))
                ;; dS_ij = P_ij (dP_ij − t) (0 for masked lanes: P is 0 there)
                (local.set $jv (i32.const 0))
                (block $sdone
                  (loop $sloop
                    (br_if $sdone (i32.ge_u (local.get $jv) (local.get $nv)))
                    (local.set $a (i32.add (local.get $ds) (i32.shl (local.get $jv) (i32.const 4))))
                    (v128.store (local.get $a)
                      (f32x4.mul
                        (v128.load (i32.add (local.get $pr) (i32.shl (local.get $jv) (i32.const 4))))
                        (f32x4.sub (v128.load (local.get $a)) (local.get $t))))
                    (local.set $jv (i32.add (local.get $jv) (i32.const 1)))
                    (br $sloop)))
                ;; dq_i = s · Σ_j dS_ij k_j
                (call $weightedRows (local.get $ds) (i32.add (local.get $k) (local.get $col))
                  (i32.add (local.get $i) (i32.const 1)) (local.get $rowB) (local.get $hd)
                  (i32.add (local.get $dq) (local.get $yi)) (local.get $scale))
                ;; dK_j += dS_ij q̃_i, dV_j += P_ij dy_i  (j ≤ i)
                (local.set $j (i32.const 0))
                (block $kdone
                  (loop $kloop
                    (br_if $kdone (i32.gt_u (local.get $j) (local.get $i)))
                    (local.set $w (v128.load32_splat (i32.add (local.get $ds) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $pw (v128.load32_splat (i32.add (local.get $pr) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $cb (i32.const 0))
                    (block $kcdone
                      (loop $kcloop
                        (br_if $kcdone (i32.ge_u (local.get $cb) (local.get $hdB)))
                        (local.set $a (i32.add (i32.add (local.get $dka) (i32.mul (local.get $j) (local.get $hdB))) (local.get $cb)))
                        (v128.store (local.get $a)
                          (f32x4.add (v128.load (local.get $a))
                            (f32x4.mul (local.get $w)
                              (v128.load (i32.add (local.get $qs)
                                (i32.add (i32.mul (local.get $i) (local.get $hdB)) (local.get $cb)))))))
                        (local.set $b (i32.add (i32.add (local.get $dva) (i32.mul (local.get $j) (local.get $hdB))) (local.get $cb)))
                        (v128.store (local.get $b)
                          (f32x4.add (v128.load (local.get $b))
                            (f32x4.mul (local.get $pw)
                              (v128.load (i32.add (i32.add (local.get $dy) (local.get $yi)) (local.get $cb))))))
                        (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                        (br $kcloop)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $kloop)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $iloop)))
            ;; dk, dv rows out
            (local.set $j (i32.const 0))
            (block $odone
              (loop $oloop
                (br_if $odone (i32.ge_u (local.get $j) (local.get $T)))
                (local.set $cb (i32.const 0))
                (block $ocdone
                  (loop $ocloop
                    (br_if $ocdone (i32.ge_u (local.get $cb) (local.get $hdB)))
                    (local.set $a (i32.add (i32.mul (local.get $j) (local.get $hdB)) (local.get $cb)))
                    (local.set $b (i32.add (local.get $col)
                      (i32.add (i32.mul (local.get $j) (local.get $rowB)) (local.get $cb))))
                    (v128.store (i32.add (local.get $dk) (local.get $b))
                      (v128.load (i32.add (local.get $dka) (local.get $a))))
                    (v128.store (i32.add (local.get $dv) (local.get $b))
                      (v128.load (i32.add (local.get $dva) (local.get $a))))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $ocloop)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $oloop)))
            (local.set $h (i32.add (local.get $h) (i32.const 1)))
            (br $hloop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mloop))))
)
