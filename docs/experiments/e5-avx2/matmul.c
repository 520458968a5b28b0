/* One matmul on one thread: this revision's AVX2 kernel (mm_avx2) against an earlier one's (mm_avx2_before), in turns,
   30 times each; the least and median multiply-adds per ns, and whether the outputs are the same bits. Built and run
   by matmul.py. Usage: matmul NOUT NIN TOKENS */
#include "e5.c"
#include "before.h"   /* the AVX2 kernel of the earlier revision, renamed (matmul.py) */
#include <time.h>
static double now(void){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec*1e-9;}
static int cmpd(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc, char**argv){
  int nout=atoi(argv[1]), nin=atoi(argv[2]), L=atoi(argv[3]); int nb=nin/QK;
  block_q4_0 *W = malloc(sizeof(block_q4_0)*nout*nb);
  srand(1);
  for (int i=0;i<nout*nb;i++){ W[i].d = 0x3c00 + (rand()&0xff); for(int j=0;j<16;j++) W[i].qs[j]=rand()&0xff; }
  qmat M; qmat_pack(&M, W, nout, nin);
  int8_t *aq = aligned_alloc(64, L*nin+64); float *ad = malloc(4*L*nb); int32_t *as = malloc(4*L*nb);
  for (int i=0;i<L*nin;i++) aq[i]=(rand()%255)-127;
  for (int i=0;i<L*nb;i++){ ad[i]=0.001f*(1+rand()%100); int s=0; for(int j=0;j<QK;j++) s+=aq[i*QK+j]; as[i]=s; }
  float *bias = malloc(4*nout); for(int i=0;i<nout;i++) bias[i]=0.1f*(rand()%7);
  float *Y = aligned_alloc(64, 4*L*nout), *Y2 = aligned_alloc(64, 4*L*nout);
  omp_set_num_threads(1);
  mm_avx2(&M,bias,aq,ad,as,Y,L); mm_avx2_before(&M,bias,aq,ad,as,Y2,L);
  printf("same bits: %s\n", memcmp(Y,Y2,4*L*nout)==0?"yes":"NO");
  enum{N=30}; double to[N], tn[N]; int reps = 20000000/(nout*nin/16*L/16+1)+1;
  for (int r=0;r<N;r++){
    double t=now(); for(int i=0;i<reps;i++) mm_avx2_before(&M,bias,aq,ad,as,Y2,L); to[r]=(now()-t)/reps;
    t=now(); for(int i=0;i<reps;i++) mm_avx2(&M,bias,aq,ad,as,Y,L); tn[r]=(now()-t)/reps;
  }
  qsort(to,N,8,cmpd); qsort(tn,N,8,cmpd);
  double macs=(double)nout*nin*L*1e-9;
  printf("%5d x %5d L=%3d  before min %.1f med %.1f | now min %.1f med %.1f MAC/ns | ratio(min) %.2f\n", nout,nin,L, macs/to[0], macs/to[N/2], macs/tn[0], macs/tn[N/2], to[0]/tn[0]);
  return 0;
}
