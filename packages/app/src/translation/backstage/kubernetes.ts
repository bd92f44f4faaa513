import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { kubernetesTranslationRef } from '@backstage/plugin-kubernetes/alpha';

/** Simplified Chinese for Backstage's Kubernetes tab. */
export default createTranslationMessages({
  ref: kubernetesTranslationRef,
  full: true,
  messages: {
    'kubernetesContentPage.permissionAlert.title': '需要权限',
    'kubernetesContentPage.permissionAlert.message':
      '查看 Kubernetes 对象需要 kubernetes.clusters.read 和 kubernetes.resources.read 权限，请联系门户管理员。',
    'kubernetesContentPage.title': '你的集群',
    'kubernetesContentPage.emptyState.title': '没有 Kubernetes 资源',
    'kubernetesContentPage.emptyState.description':
      '已知集群上没有 {{entityName}} 的资源',
    'entityContent.title': 'Kubernetes',
  },
});
