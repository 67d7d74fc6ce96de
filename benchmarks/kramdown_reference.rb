# Renders many Markdown sources with kramdown as Jekyll 4.3 configures it, in one process.
# stdin: JSON list of {"text": ..., "options": {...}}; stdout: JSON list of HTML strings (or null
# when kramdown raises).
require 'json'
require 'yaml'
require 'kramdown'
require 'kramdown-parser-gfm'

JEKYLL_DEFAULTS = {
  'auto_ids' => true, 'toc_levels' => (1..6).to_a, 'entity_output' => 'as_char',
  'smart_quotes' => 'lsquo,rsquo,ldquo,rdquo', 'input' => 'GFM', 'hard_wrap' => false,
  'guess_lang' => true, 'footnote_nr' => 1, 'show_warnings' => false,
  'syntax_highlighter' => 'rouge',
  'syntax_highlighter_opts' => { 'default_lang' => 'plaintext', 'guess_lang' => true },
}.freeze

items = JSON.parse($stdin.read)
out = items.map do |item|
  opts = JEKYLL_DEFAULTS.dup
  extra = item['options_yaml'] ? (YAML.unsafe_load(item['options_yaml']) || {}) : (item['options'] || {})
  extra.each { |k, v| opts[k.to_s] = v }
  begin
    Kramdown::Document.new(item['text'], opts).to_html
  rescue StandardError => e
    nil
  end
end
puts JSON.generate(out)
