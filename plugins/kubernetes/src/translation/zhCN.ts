/** Simplified Chinese for the workload actions (keys of kubernetesActionsTranslationRef). */
const zhCN = {
  'card.title': '工作负载操作',
  'card.subheader': '重启、扩缩容、删除 Pod，下载容器日志',
  'card.loading': '正在加载工作负载…',
  'card.empty': '该组件没有 Deployment 或 Pod。',
  'card.cluster': '集群 {{cluster}}',
  'card.noActions': '你不能变更这些工作负载：需要 {{permissions}} 权限。',
  'deployments.title': 'Deployment',
  'deployments.name': 'Deployment',
  'deployments.replicas': '副本数',
  'deployments.ready': '{{ready}} / {{desired}} 就绪',
  'deployments.restart': '重启',
  'deployments.scale': '扩缩容',
  'deployments.scaleTo': '{{name}} 的副本数',
  'deployments.restarted': '已重启 {{name}}',
  'deployments.scaled': '已将 {{name}} 从 {{from}} 个副本调整为 {{to}} 个',
  'pods.title': 'Pod',
  'pods.name': 'Pod',
  'pods.phase': '阶段',
  'pods.restarts': '重启次数',
  'pods.delete': '删除 Pod',
  'pods.deleted': '已删除 Pod {{name}}',
  'pods.logs': '日志',
  'pods.download': '下载日志（{{container}}）',
  'pods.downloadPrevious': '上一个容器的日志（{{container}}）',
  'pods.downloaded': '已下载 {{file}}',
  'confirm.restart': '重启集群 {{cluster}} 上的 Deployment {{name}}？',
  'confirm.scale':
    '将集群 {{cluster}} 上的 Deployment {{name}} 调整为 {{replicas}} 个副本？',
  'confirm.delete':
    '删除集群 {{cluster}} 上的 Pod {{name}}？其控制器会启动一个新的 Pod。',
  'confirm.ok': '确认',
  'confirm.cancel': '取消',
  'rollout.title': '{{name}} 的发布进度',
  'rollout.counts':
    '已更新 {{updated}} / {{replicas}}，就绪 {{ready}}，可用 {{available}}',
  'rollout.replicaSet': '新 ReplicaSet {{name}}（版本 {{revision}}）',
  'rollout.progressing': '正在发布…',
  'rollout.complete': '发布完成',
  'rollout.failed': '发布失败：{{message}}',
  'rollout.stopped': '已在 {{seconds}} 秒后停止跟踪发布',
  'approval.required':
    '该集群是生产环境：变更需要已审批的工单（{{message}}）。',
  'panel.warning': '警告：{{title}}',
  'error.action': '操作失败：{{message}}',
  'error.log': '无法下载日志：{{message}}',
  'error.rollout': '无法读取发布状态：{{message}}',
  'error.rateLimited':
    '您在最近一分钟内已读取发布状态 {{limit}} 次，请 {{seconds}} 秒后再试',
};

export default zhCN;
