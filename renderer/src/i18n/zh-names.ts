/**
 * 简体中文 names of what the lab's catalogues define in English: measures (the measure
 * catalogue, src/core/similarity/catalogue.ts — typed by its ids, so a new measure without a
 * name here fails the type check), presets and built-in studies (a test checks every preset and
 * study has one). English needs no table: it uses the catalogues' own text.
 */
import type { MeasureId } from '../../../src/api/contract';

export interface NameText {
  label: string;
  short: string;
  summary: string;
}

export const ZH_MEASURES: Record<MeasureId, NameText> = {
  'linear-cka': {
    label: '线性 CKA',
    short: '线性 CKA',
    summary: '两层激活在线性核下的中心化核对齐（CKA）。',
  },
  'debiased-cka': {
    label: '去偏线性 CKA',
    short: '去偏 CKA',
    summary: '使用无偏 HSIC 估计量的线性 CKA：样本数 N 较小时不会虚高。',
  },
  'rbf-cka': {
    label: 'RBF CKA',
    short: 'RBF CKA',
    summary: '使用高斯核的 CKA，带宽取中位距离的一定比例。',
  },
  procrustes: {
    label: '正交 Procrustes 距离（平方）',
    short: 'Procrustes 距离',
    summary: '把一个表示最优旋转到另一个之后剩余的距离。',
  },
  'mutual-knn': {
    label: '互 k 近邻对齐',
    short: '互 k 近邻',
    summary: '每个样本的 k 个最近邻中两个模型共有的比例。',
  },
  svcca: {
    label: 'SVCCA',
    short: 'SVCCA',
    summary: '两层主成分子空间之间典型相关系数的平均值。',
  },
  pwcca: {
    label: 'PWCCA',
    short: 'PWCCA',
    summary: '按对表示的解释程度加权的典型相关系数。',
  },
  'weight-trajectory': {
    label: '权重轨迹',
    short: '与初始化的距离',
    summary: '训练过程中权重与初始值（或最终值）之间的距离。',
  },
  'aligned-weights': {
    label: '对齐后的权重距离',
    short: '对齐权重距离',
    summary: '按注意力头感知的置换匹配后，两个模型权重之间的距离。',
  },
  spectra: {
    label: '奇异值谱',
    short: '谱距离',
    summary: '权重矩阵奇异值谱之间的距离（与置换和旋转无关）。',
  },
  'top1-agreement': {
    label: 'Top-1 一致率',
    short: 'top-1 一致率',
    summary: '两个模型预测相同下一个词元的探针位置所占比例。',
  },
  jsd: {
    label: 'Jensen–Shannon 散度（以 2 为底）',
    short: 'JSD（比特）',
    summary: '两个模型下一个词元分布之间的 Jensen–Shannon 散度，取平均。',
  },
  'error-consistency': {
    label: '错误一致性 κ',
    short: '错误一致性 κ',
    summary: '两个模型在相同样本上出错的程度，超出偶然水平的部分（Cohen κ）。',
  },
  'outcome-homogenization': {
    label: '结果同质化 H',
    short: '结果同质化 H',
    summary: '所有模型同时出错的样本比例，相对于各自独立出错时的预期。',
  },
  'loss-difference': {
    label: '损失差',
    short: '探针损失差',
    summary: '两个模型平均探针损失之差。',
  },
  generations: {
    label: '生成结果',
    short: '生成结果',
    summary: '每个模型对相同提示词的续写，并排显示（固定随机种子）。',
  },
};

/** Presets by id: name and description. */
export const ZH_PRESETS: Record<string, { name: string; description: string }> = {
  'seed-sweep': {
    name: '随机种子扫描',
    description:
      '同一架构、K 个权重初始化种子、完全相同的训练批次：独立初始化的模型会变得多相似？以锁步方式训练。',
  },
  'width-sweep': {
    name: '宽度扫描',
    description: '不同宽度的 d_model（d_ff = 4·d_model），每种宽度两个种子。',
  },
  'depth-sweep': { name: '深度扫描', description: '不同层数，每种两个种子。' },
  'positional-encodings': {
    name: '位置编码',
    description: '可学习 vs 正弦 vs RoPE vs 无（仅因果掩码），每种两个种子。',
  },
  'norm-placement': {
    name: '归一化位置',
    description: 'Pre-norm（GPT-2）vs post-norm（原始 Transformer），LayerNorm vs RMSNorm。',
  },
  'article-vs-modern': {
    name: '种子文章的模型 vs 现代模型',
    description:
      '种子文章的模型（PyTorch TransformerEncoderLayer 默认设置：post-norm、ReLU、d_ff 2048、dropout 0.1、无位置编码、因果掩码）对比宽度和深度相同、使用可学习位置编码且无 dropout 的现代 pre-norm GELU 模型。',
  },
};

/** Built-in studies by id: name, question and the published expectation. */
export const ZH_STUDIES: Record<string, { name: string; question: string; expected: string }> = {
  'seed-convergence': {
    name: '随机种子收敛',
    question:
      '同一架构的模型在完全相同的批次上、从不同的随机初始化开始训练，是否会收敛到相同的内部表示和输出？在哪个深度？',
    expected:
      '跨种子的线性 CKA 在靠近输入处较高，并随深度下降（Kornblith 等，2019）；CKA 能以远高于偶然水平的准确率找出另一个种子中对应的层。',
  },
  'shared-base': {
    name: '共享基座 vs 从零训练（结果同质化）',
    question:
      '当许多下游模型从同一个共享基座模型微调而来时，它们是否比各自从零独立训练的模型更多地在相同样本上出错？',
    expected:
      '由共享基座适配而来的模型同质化程度更高：组内的错误一致性 κ 和结果同质化 H 都高于独立训练的模型（Bommasani 等，2022；Bommasani 等，2021 的单一文化论点）。',
  },
  'architecture-variants': {
    name: '架构变体',
    question:
      '在相同数据上训练到相同损失时，不同架构（宽度、深度、位置编码、归一化位置）的模型，是否比同一架构不同种子的模型更不相似？',
    expected:
      '同架构的种子对在表示（CKA）和输出上都比跨架构的模型对更相似；Kornblith 等（2019）发现 CKA 仍能揭示不同宽度和深度之间的对应关系，且更宽的模型更相似。',
  },
  emergence: {
    name: '能力涌现（模加法，留出数对）',
    question:
      '当一种能力突然出现（把模加法泛化到留出的数对）时，每次训练的转变发生在哪里？独立初始化的模型是否会随着能力出现而变得更相似？',
    expected:
      '留出准确率在平台期之后急剧上升（Power 等，2022），发生的步数取决于种子；不同种子学到相似的算法（Nanda 等，2023），但并不总是同一种（Zhong 等，2023），因此跨种子的输出一致性在转变前后上升。',
  },
};
