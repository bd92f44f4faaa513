const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML and XML content and attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, c => ENTITIES[c]);
}
