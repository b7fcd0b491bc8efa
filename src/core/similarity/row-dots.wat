;; The float64 product kernels of kernels-wasm.ts (generated into row-dots-wasm.ts by
;; `npm run build:wasm`; {{memory}} makes a plain and a shared-memory build, the latter for the
;; worker pool of kernel-pool.ts).
;;
;; `dots`: row dot products C[i][j] += Σ_{k0≤k<k1} A[i][k]·B[j][k] with f64x2 SIMD and 2×4
;; register tiles; rows are $len doubles apart, C rows $nb doubles apart. The caller does the
;; k-blocking. Contract (enforced by the JS wrapper): na % 2 == 0, nb % 4 == 0, len, k0, k1 even,
;; all pointers 16-byte aligned, C zeroed before the first k-block. $sym != 0 computes only the
;; tiles touching the upper triangle (A == B); $rowBase is the global index of A's first row
;; (the caller may pass one panel of rows at a time).
;;
;; `outer`: AᵀB for N×D operands packed as 4-column panels (kernels-wasm.ts `pack`): a 4×4 tile
;; of C is kept in eight f64x2 registers while k runs, C[i][j..j+1] += splat(A[k][i])·B[k][j..j+1]
;; (6 loads per 16 multiply-adds). Each C element is a single running sum in k order, continued
;; across k-blocks through C, so blocking and threading never change a result.
;;
;; `outerItem` / `dotsItem`: one work item each (see below), the unit of the worker pool.
(module
  {{memory}}
  (func $dots (export "dots")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $len i32)
    (param $c i32) (param $sym i32) (param $k0 i32) (param $k1 i32) (param $rowBase i32)
    (local $i i32) (local $j i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $stride i32) (local $off i32) (local $end i32) (local $pc i32)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128) (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $stride (i32.shl (local.get $len) (i32.const 3)))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $i) (local.get $na)))
            (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $stride))))
            (local.set $pa1 (i32.add (local.get $pa0) (local.get $stride)))
            (local.set $j (select (i32.and (i32.add (local.get $rowBase) (local.get $i)) (i32.const -4)) (i32.const 0) (local.get $sym)))
            (block $jdone
              (loop $jloop
                (br_if $jdone (i32.ge_u (local.get $j) (local.get $nb)))
                (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $stride))))
                (local.set $pb1 (i32.add (local.get $pb0) (local.get $stride)))
                (local.set $pb2 (i32.add (local.get $pb1) (local.get $stride)))
                (local.set $pb3 (i32.add (local.get $pb2) (local.get $stride)))
                (local.set $s00 (v128.const i64x2 0 0))
                (local.set $s01 (v128.const i64x2 0 0))
                (local.set $s02 (v128.const i64x2 0 0))
                (local.set $s03 (v128.const i64x2 0 0))
                (local.set $s10 (v128.const i64x2 0 0))
                (local.set $s11 (v128.const i64x2 0 0))
                (local.set $s12 (v128.const i64x2 0 0))
                (local.set $s13 (v128.const i64x2 0 0))
                (local.set $off (i32.shl (local.get $k0) (i32.const 3)))
                (local.set $end (i32.shl (local.get $k1) (i32.const 3)))
                (block $kkdone
                  (loop $kk
                    (br_if $kkdone (i32.ge_u (local.get $off) (local.get $end)))
                    (local.set $x0 (v128.load (i32.add (local.get $pa0) (local.get $off))))
                    (local.set $x1 (v128.load (i32.add (local.get $pa1) (local.get $off))))
                    (local.set $y0 (v128.load (i32.add (local.get $pb0) (local.get $off))))
                    (local.set $y1 (v128.load (i32.add (local.get $pb1) (local.get $off))))
                    (local.set $y2 (v128.load (i32.add (local.get $pb2) (local.get $off))))
                    (local.set $y3 (v128.load (i32.add (local.get $pb3) (local.get $off))))
                    (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x0) (local.get $y0))))
                    (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x0) (local.get $y1))))
                    (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $x0) (local.get $y2))))
                    (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $x0) (local.get $y3))))
                    (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x1) (local.get $y0))))
                    (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x1) (local.get $y1))))
                    (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $x1) (local.get $y2))))
                    (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $x1) (local.get $y3))))
                    (local.set $off (i32.add (local.get $off) (i32.const 16)))
                    (br $kk)))
                (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const 0)) (local.get $nb)) (local.get $j)) (i32.const 3))))
                (f64.store offset=0 (local.get $pc) (f64.add (f64.load offset=0 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s00)) (f64x2.extract_lane 1 (local.get $s00)))))
                (f64.store offset=8 (local.get $pc) (f64.add (f64.load offset=8 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s01)) (f64x2.extract_lane 1 (local.get $s01)))))
                (f64.store offset=16 (local.get $pc) (f64.add (f64.load offset=16 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s02)) (f64x2.extract_lane 1 (local.get $s02)))))
                (f64.store offset=24 (local.get $pc) (f64.add (f64.load offset=24 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s03)) (f64x2.extract_lane 1 (local.get $s03)))))
                (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (i32.const 1)) (local.get $nb)) (local.get $j)) (i32.const 3))))
                (f64.store offset=0 (local.get $pc) (f64.add (f64.load offset=0 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s10)) (f64x2.extract_lane 1 (local.get $s10)))))
                (f64.store offset=8 (local.get $pc) (f64.add (f64.load offset=8 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s11)) (f64x2.extract_lane 1 (local.get $s11)))))
                (f64.store offset=16 (local.get $pc) (f64.add (f64.load offset=16 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s12)) (f64x2.extract_lane 1 (local.get $s12)))))
                (f64.store offset=24 (local.get $pc) (f64.add (f64.load offset=24 (local.get $pc)) (f64.add (f64x2.extract_lane 0 (local.get $s13)) (f64x2.extract_lane 1 (local.get $s13)))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $jloop)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $iloop))))
  ;; Outer-product form for AᵀB on column panels (see the file comment): C[4ip..4ip+4][4jp..4jp+4]
  ;; += Σ_{k0≤k<k1} A[k][4ip..]ᵀ·B[k][4jp..], for micro-panels ip0 ≤ ip < ip1 and every jp
  ;; (jp ≥ ip only with $sym). Panels are $n rows of 4 doubles (32 bytes); C rows $ldc doubles.
  (func $outer (export "outer")
    (param $ap i32) (param $bp i32) (param $c i32) (param $kc i32) (param $npb i32) (param $ldc i32)
    (param $ip0 i32) (param $ip1 i32) (param $sym i32) (param $first i32)
    (local $jp i32) (local $ip i32) (local $ipEnd i32) (local $panel i32) (local $ldcb i32)
    (local $pa i32) (local $pb i32) (local $end i32) (local $pc i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $panel (i32.shl (local.get $kc) (i32.const 5)))
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $jp (select (local.get $ip0) (i32.const 0) (local.get $sym)))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $jp) (local.get $npb)))
        (local.set $ipEnd (local.get $ip1))
        (if (local.get $sym)
          (then
            (if (i32.lt_u (i32.add (local.get $jp) (i32.const 1)) (local.get $ipEnd))
              (then (local.set $ipEnd (i32.add (local.get $jp) (i32.const 1)))))))
        (local.set $ip (local.get $ip0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $ip) (local.get $ipEnd)))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ldcb))
                       (i32.shl (local.get $jp) (i32.const 5)))))
            ;; The first k-block starts from zero, later ones from the partial sums in C (so C
            ;; needs no clearing and each element stays one running sum over k).
            (if (local.get $first)
              (then
                (local.set $c00 (v128.const i64x2 0 0)) (local.set $c01 (v128.const i64x2 0 0))
                (local.set $c10 (v128.const i64x2 0 0)) (local.set $c11 (v128.const i64x2 0 0))
                (local.set $c20 (v128.const i64x2 0 0)) (local.set $c21 (v128.const i64x2 0 0))
                (local.set $c30 (v128.const i64x2 0 0)) (local.set $c31 (v128.const i64x2 0 0)))
              (else
              (local.set $c00 (v128.load offset=0 (local.get $pc)))
              (local.set $c01 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
              (local.set $c10 (v128.load offset=0 (local.get $pc)))
              (local.set $c11 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
              (local.set $c20 (v128.load offset=0 (local.get $pc)))
              (local.set $c21 (v128.load offset=16 (local.get $pc)))
              (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
              (local.set $c30 (v128.load offset=0 (local.get $pc)))
              (local.set $c31 (v128.load offset=16 (local.get $pc)))))
            (local.set $pa (i32.add (local.get $ap) (i32.mul (local.get $ip) (local.get $panel))))
            (local.set $pb (i32.add (local.get $bp) (i32.mul (local.get $jp) (local.get $panel))))
            (local.set $end (i32.add (local.get $pb) (local.get $panel)))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_u (local.get $pb) (local.get $end)))
                (local.set $b0 (v128.load offset=0 (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
                (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
                (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
                (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
                (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
                (br $kloop)))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ldcb))
                       (i32.shl (local.get $jp) (i32.const 5)))))
            (v128.store offset=0 (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
            (v128.store offset=0 (local.get $pc) (local.get $c10))
            (v128.store offset=16 (local.get $pc) (local.get $c11))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
            (v128.store offset=0 (local.get $pc) (local.get $c20))
            (v128.store offset=16 (local.get $pc) (local.get $c21))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldcb)))
            (v128.store offset=0 (local.get $pc) (local.get $c30))
            (v128.store offset=16 (local.get $pc) (local.get $c31))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
            (br $iloop)))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $jloop))))

  ;; One work item of a product, the unit the worker pool (kernel-pool.ts) hands out: the item's
  ;; output rows for every k-block, in k order. Keeping the item loop here (not in JS) means the
  ;; main thread and the workers run the very same code, so each output element is summed in
  ;; the same order whatever the number of threads.
  ;; AᵀB on k-blocked column panels: item = micro-panels [item·it, item·it + it) of A. The k-block
  ;; starting at row k0 holds npa (npb) panels of kc = min(kcMax, n − k0) rows of 4 doubles.
  (func (export "outerItem")
    (param $ap i32) (param $bp i32) (param $c i32) (param $n i32) (param $kcMax i32)
    (param $npa i32) (param $npb i32) (param $ldc i32) (param $sym i32) (param $it i32) (param $item i32)
    (local $ip0 i32) (local $ip1 i32) (local $k0 i32) (local $kc i32)
    (local.set $ip0 (i32.mul (local.get $item) (local.get $it)))
    (local.set $ip1 (i32.add (local.get $ip0) (local.get $it)))
    (if (i32.gt_u (local.get $ip1) (local.get $npa)) (then (local.set $ip1 (local.get $npa))))
    (local.set $k0 (i32.const 0))
    (block $done
      (loop $kb
        (br_if $done (i32.ge_u (local.get $k0) (local.get $n)))
        (local.set $kc (i32.sub (local.get $n) (local.get $k0)))
        (if (i32.gt_u (local.get $kc) (local.get $kcMax)) (then (local.set $kc (local.get $kcMax))))
        (call $outer
          (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $k0) (local.get $npa)) (i32.const 5)))
          (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $k0) (local.get $npb)) (i32.const 5)))
          (local.get $c) (local.get $kc) (local.get $npb) (local.get $ldc)
          (local.get $ip0) (local.get $ip1) (local.get $sym) (i32.eqz (local.get $k0)))
        (local.set $k0 (i32.add (local.get $k0) (local.get $kcMax)))
        (br $kb))))

  ;; Row dot products: item = rows [item·panel, item·panel + panel) of A, k-blocks of 1024.
  (func (export "dotsItem")
    (param $a i32) (param $na i32) (param $b i32) (param $nb i32) (param $len i32) (param $c i32)
    (param $sym i32) (param $panel i32) (param $item i32)
    (local $i0 i32) (local $rows i32) (local $k0 i32) (local $k1 i32)
    (local.set $i0 (i32.mul (local.get $item) (local.get $panel)))
    (local.set $rows (i32.sub (local.get $na) (local.get $i0)))
    (if (i32.gt_u (local.get $rows) (local.get $panel)) (then (local.set $rows (local.get $panel))))
    (local.set $k0 (i32.const 0))
    (block $done
      (loop $kb
        (br_if $done (i32.ge_u (local.get $k0) (local.get $len)))
        (local.set $k1 (i32.add (local.get $k0) (i32.const 1024)))
        (if (i32.gt_u (local.get $k1) (local.get $len)) (then (local.set $k1 (local.get $len))))
        (call $dots
          (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i0) (local.get $len)) (i32.const 3)))
          (local.get $rows) (local.get $b) (local.get $nb) (local.get $len)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i0) (local.get $nb)) (i32.const 3)))
          (local.get $sym) (local.get $k0) (local.get $k1) (local.get $i0))
        (local.set $k0 (local.get $k1))
        (br $kb))))
)
