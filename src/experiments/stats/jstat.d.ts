/** The part of jstat the statistics module uses (jstat ships no types; it is CommonJS). */
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: {
        /** Quantile of Student's t with `dof` degrees of freedom (dof may be fractional). */
        inv(p: number, dof: number): number;
        cdf(x: number, dof: number): number;
      };
    };
  };
  export default jstat;
}
