;; Source of the SIMD kernel embedded (base64) in kernels-wasm.ts. Rebuild after editing with
;; wabt 1.0.39 (npm package `wabt`, not a project dependency): parseWat(src, { simd: true })
;; .toBinary({}).buffer, base64-encoded into ROW_DOTS_WASM.
;; Row dot products C[i][j] += Σ_{k0≤k<k1} A[i][k]·B[j][k] with f64x2 SIMD and 2×4 register
;; tiles; rows are $len doubles apart, C rows $nb doubles apart. The caller does the k-blocking.
;; Contract (enforced by the JS wrapper in kernels-wasm.ts): na % 2 == 0, nb % 4 == 0, len, k0, k1 even,
;; all pointers 16-byte aligned, C zeroed before the first k-block. $sym != 0 computes only the
;; tiles touching the upper triangle (A == B); $rowBase is the global index of A's first row
;; (the caller may pass one panel of rows at a time).
(module
  (memory (export "memory") 1)
  (func (export "dots")
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
            (br $iloop)))))
