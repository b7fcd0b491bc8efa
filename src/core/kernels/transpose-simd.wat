;; A batch of 2-D transposes [B, R, C] → [B, C, R] in 4×4 blocks with f32x4 shuffles, in place on
;; tfjs-wasm's heap (see wasm-simd.ts and wasm-transpose.ts). R and C must be multiples of 4.
;; Pointers are byte addresses; src and dst must not overlap. It only moves numbers.
(module
  {{memory}}

  (func (export "transpose") (param $src i32) (param $dst i32) (param $B i32) (param $R i32)
    (param $C i32)
    (local $b i32) (local $i i32) (local $j i32) (local $sRow i32) (local $dRow i32)
    (local $ps i32) (local $pd i32) (local $mat i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $sRow (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dRow (i32.shl (local.get $R) (i32.const 2)))
    (local.set $mat (i32.mul (local.get $sRow) (local.get $R)))
    (local.set $b (i32.const 0))
    (block $bdone
      (loop $bloop
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $i) (local.get $R)))
            (local.set $j (i32.const 0))
            (block $jdone
              (loop $jloop
                (br_if $jdone (i32.ge_u (local.get $j) (local.get $C)))
                ;; rows i..i+3, columns j..j+3 of the source
                (local.set $ps (i32.add (local.get $src)
                  (i32.add (i32.mul (local.get $i) (local.get $sRow)) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $r0 (v128.load (local.get $ps)))
                (local.set $ps (i32.add (local.get $ps) (local.get $sRow)))
                (local.set $r1 (v128.load (local.get $ps)))
                (local.set $ps (i32.add (local.get $ps) (local.get $sRow)))
                (local.set $r2 (v128.load (local.get $ps)))
                (local.set $ps (i32.add (local.get $ps) (local.get $sRow)))
                (local.set $r3 (v128.load (local.get $ps)))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                ;; rows j..j+3, columns i..i+3 of the destination
                (local.set $pd (i32.add (local.get $dst)
                  (i32.add (i32.mul (local.get $j) (local.get $dRow)) (i32.shl (local.get $i) (i32.const 2)))))
                (v128.store (local.get $pd)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (local.set $pd (i32.add (local.get $pd) (local.get $dRow)))
                (v128.store (local.get $pd)
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (local.set $pd (i32.add (local.get $pd) (local.get $dRow)))
                (v128.store (local.get $pd)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (local.set $pd (i32.add (local.get $pd) (local.get $dRow)))
                (v128.store (local.get $pd)
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $jloop)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $iloop)))
        (local.set $src (i32.add (local.get $src) (local.get $mat)))
        (local.set $dst (i32.add (local.get $dst) (local.get $mat)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bloop))))
)
