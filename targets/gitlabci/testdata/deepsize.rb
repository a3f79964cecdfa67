# deepsize.rb FILE: print the memory GitLab's CI configuration loader
# counts against max_yaml_size_bytes for FILE: the sum of
# ObjectSpace.memsize_of over every object of the parsed YAML, visiting an
# object once for each reference to it (as Gitlab::Utils::DeepSize does).
require 'yaml'
require 'objspace'

def deep_size(obj)
  size = ObjectSpace.memsize_of(obj)
  case obj
  when Array then obj.each { |x| size += deep_size(x) }
  when Hash then obj.each { |k, v| size += deep_size(k) + deep_size(v) }
  end
  size
end

doc = YAML.safe_load(File.read(ARGV.fetch(0)), permitted_classes: [Symbol], permitted_symbols: [], aliases: true)
puts deep_size(doc)
