import { createTranslationMessages } from '@backstage/frontend-plugin-api';
import { orgTranslationRef } from '@backstage/plugin-org/alpha';

/** Simplified Chinese for the user and group entity pages. */
export default createTranslationMessages({
  ref: orgTranslationRef,
  full: true,
  messages: {
    'groupProfileCard.groupNotFound': '未找到该组',
    'groupProfileCard.editIconButtonTitle': '编辑元数据',
    'groupProfileCard.refreshIconButtonTitle': '计划刷新实体',
    'groupProfileCard.refreshIconButtonAriaLabel': '刷新',
    'groupProfileCard.listItemTitle.entityRef': '实体引用',
    'groupProfileCard.listItemTitle.email': '邮箱',
    'groupProfileCard.listItemTitle.parentGroup': '上级组',
    'groupProfileCard.listItemTitle.childGroups': '下级组',
    'membersListCard.cardLabel': '{{memberName}} 的用户页面',
    'membersListCard.title': '{{groupName}} 的成员',
    'membersListCard.noMembersDescription': '该组没有成员。',
    'membersListCard.noSearchResult': '没有与“{{searchTerm}}”匹配的成员。',
    'membersListCard.aggregateMembersToggle.label': '包含下级组',
    'ownershipCard.title': '拥有的实体',
    'ownershipCard.aggregateRelationsToggle.label': '包含间接拥有',
    'userProfileCard.userNotFound': '未找到该用户',
    'userProfileCard.editIconButtonTitle': '编辑元数据',
    'userProfileCard.listItemTitle.email': '邮箱',
    'userProfileCard.listItemTitle.memberOf': '所属组',
    'userProfileCard.moreGroupButtonTitle': '……更多（{{number}}）',
    'userProfileCard.allGroupDialog.title': '{{name}} 的全部组：',
    'userProfileCard.allGroupDialog.closeButtonTitle': '关闭',
  },
});
