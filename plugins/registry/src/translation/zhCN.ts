/** Simplified Chinese for the image registry browser (keys of registryTranslationRef). */
const zhCN = {
  'page.title': '镜像仓库',
  'page.subtitle': '服务目录中各镜像仓库的仓库、标签和镜像。',
  'registries.label': '镜像仓库',
  'registries.none':
    '服务目录中没有镜像仓库。镜像仓库是类型为 registry、带注解 opsdeck.io/registry-url 的 Resource。',
  'repositories.title': '仓库',
  'repositories.empty': '这个镜像仓库里没有仓库。',
  'repositories.more': '更多',
  'tags.title': '{{repository}} 的标签',
  'tags.empty': '没有标签。',
  'tags.more': '更多',
  'tags.back': '全部仓库',
  'manifest.back': '全部标签',
  'manifest.digest': '摘要',
  'manifest.kind': '类型',
  'manifest.index': '多平台索引',
  'manifest.image': '镜像',
  'manifest.size': '大小',
  'manifest.created': '创建时间',
  'manifest.platform': '平台',
  'manifest.layers': '层',
  'manifest.artifact': '证明',
  'manifest.running': '正在运行于 {{places}}',
  'manifest.runningPod': 'Pod {{where}}',
  'manifest.runningHost': '主机 {{where}}',
  'manifest.runningColumn': '运行于',
  'manifest.notRunning': '未发现在任何地方运行。',
  'delete.button': '删除标签',
  'delete.title': '删除 {{repository}}:{{tag}}？',
  'delete.body':
    '镜像仓库会删除清单 {{digest}}，指向它的所有标签都会一起删除。',
  'delete.shared': '还有其他标签指向这个摘要，也会被一起删除。全部删除？',
  'delete.confirm': '删除',
  'delete.confirmAll': '全部删除',
  'delete.cancel': '取消',
  'delete.done': '已删除 {{tags}}。{{gc}}',
  'fields.loading': '加载中…',
  'fields.repository': '仓库',
  'fields.tag': '标签',
  'fields.truncated': '只列出前 {{max}} 个名称；请选择标签较少的仓库。',
  'card.title': '镜像仓库',
  'card.in': '位于 {{registry}}',
  'card.newest': '最新的 {{count}} 个标签（共 {{total}} 个）',
  'card.noAccess': '你没有读取镜像仓库的权限，因此不显示这个组件的镜像仓库。',
  'card.problems.empty':
    '{{annotation}} 中有一项为空（两个逗号相连，或以逗号结尾）。',
  'card.problems.registry':
    '{{annotation}} 中的 “{{entry}}” 没有以镜像仓库引用开头：请写成 resource:<namespace>/<name>/<repository>。',
  'card.problems.repository':
    '{{annotation}} 中的 “{{entry}}”：仓库路径不是合法的仓库名（小写字母、数字、分隔符 . _ __ -，各段以 / 连接）。',
  'card.problems.duplicate': '“{{entry}}” 在 {{annotation}} 中出现了两次。',
  'components.title': '发布 {{repository}} 的组件',
  'components.none': '没有组件指向这个仓库（注解 {{annotation}}）。',
  'errors.forbidden': '你没有浏览镜像仓库的权限',
  'errors.generic': '无法加载：{{message}}',
  'errors.codes.tagMoved':
    '{{image}} 现在指向 {{digest}}，不是你查看的镜像；删除前请重新查看',
  'errors.codes.imageRunning': '{{image}} 正在 {{places}} 上运行，未删除',
  'errors.codes.tooManyTags':
    '{{repository}} 有 {{count}} 个标签，超过 opsdeck 检查的上限（{{max}}）',
  'errors.codes.platformImage':
    '{{image}} 是 {{tags}} 的平台镜像，删除会破坏它们，未删除',
  'errors.codes.digestShared':
    '删除 {{image}} 会删除 {{digest}}，{{tags}} 也指向它；确认后才会一并删除',
  'errors.codes.retentionChanged':
    '保留规则现在删除 {{planned}} 个摘要，而不是已确认的 {{confirmed}} 个；请重新试运行',
  'errors.codes.credentialType':
    'Vault 凭据 {{credential}} 必须是密码类型（基本认证需带用户名，单独使用则为 Bearer 令牌）',
  'errors.codes.unreachable':
    '无法连接镜像仓库 {{registry}}（{{reason}}）：请确认它在运行，且 opsdeck 后端能访问它',
  'errors.codes.tls':
    '与镜像仓库 {{registry}} 的 TLS 握手失败（{{reason}}）：证书已过期、是自签名的或与域名不符，或它不支持 TLS',
  'errors.codes.loginRefused':
    '镜像仓库 {{registry}} 拒绝了 opsdeck 的登录（HTTP {{answered}}）：请检查该仓库在 Vault 中的凭据',
  'errors.codes.failed':
    '镜像仓库 {{registry}} 返回了 HTTP {{answered}}：请稍后重试或检查镜像仓库',
  'errors.codes.credentialMissing':
    '该镜像仓库的 Vault 凭据 {{credential}} 不存在，请管理员在 Vault 中添加',
  'errors.codes.credentialDenied':
    'Vault 不允许以你的身份将凭据 {{credential}} 用于此镜像仓库',
};

export default zhCN;
