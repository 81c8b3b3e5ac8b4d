package schema

// Knowledge bases: the multipart bodies of create-knowledge-base and
// add-knowledge-base-sources (see form.go for how their parts become these
// fields), and the answer of every knowledge base endpoint.

var knowledgeBaseText = object("", props{
	"title": str().about("Title of the text."),
	"text":  str().about("Text to add to the knowledge base."),
}, "title", "text")

// knowledgeBaseSources are the fields that add sources, on create and on
// add-knowledge-base-sources alike.
var knowledgeBaseSources = props{
	"knowledge_base_texts": array(ref(knowledgeBaseText)).about("Texts to add: one part of JSON text, [{\"title\": ..., \"text\": ...}]."),
	"knowledge_base_files": array(file()).count(0, 25).about("Files to add, one part each: at most 25 per request, each at most 50 MiB."),
	"knowledge_base_urls":  array(str()).about("Absolute http or https URLs: one part of JSON text. agentry records them and never fetches them."),
}

// KnowledgeBaseCreate is the body of create-knowledge-base.
var KnowledgeBaseCreate = object("KnowledgeBaseRequest", withProps(knowledgeBaseSources, props{
	"knowledge_base_name": str().length(0, 39).about("At most 39 characters (less than 40)."),
	"enable_auto_refresh": boolean(),
	"max_chunk_size":      integer().between(600, 6000).about("Default 2000; cannot change after creation."),
	"min_chunk_size":      integer().between(200, 2000).about("Default 400; must be less than max_chunk_size; cannot change after creation."),
}), "knowledge_base_name").about("A new knowledge base and its first sources, as multipart/form-data.")

// KnowledgeBaseAddSources is the body of add-knowledge-base-sources.
var KnowledgeBaseAddSources = object("KnowledgeBaseAddSourcesRequest", knowledgeBaseSources).
	about("Sources to add to a knowledge base, as multipart/form-data: at least one.")

// KnowledgeBaseResponse is a knowledge base as every endpoint answers it.
var KnowledgeBaseResponse = object("KnowledgeBaseResponse", props{
	"knowledge_base_id":   str(),
	"knowledge_base_name": str(),
	"status": enum("in_progress", "complete", "error", "refreshing_in_progress").
		about("in_progress until the first indexing ends, refreshing_in_progress while added sources are indexed, then complete."),
	"max_chunk_size": integer(),
	"min_chunk_size": integer(),
	"knowledge_base_sources": array(tagged("type",
		object("KnowledgeBaseSourceDocument", props{
			"type": enum("document"), "source_id": str(), "filename": str(),
			"file_url":  str().about("Where agentry serves the file's bytes (with the API key)."),
			"file_size": number(),
		}, "type", "source_id", "filename", "file_url", "file_size"),
		object("KnowledgeBaseSourceText", props{
			"type": enum("text"), "source_id": str(), "title": str(),
			"content_url": str().about("Where agentry serves the text (with the API key)."),
		}, "type", "source_id", "title", "content_url"),
		object("KnowledgeBaseSourceUrl", props{
			"type": enum("url"), "source_id": str(), "url": str(),
		}, "type", "source_id", "url"),
	)).about("The sources whose indexing has ended."),
	"enable_auto_refresh":      boolean(),
	"last_refreshed_timestamp": integer().about("When the latest indexing ended; only with enable_auto_refresh."),
}, "knowledge_base_id", "knowledge_base_name", "status")

// withProps merges property lists.
func withProps(lists ...props) props {
	out := props{}
	for _, l := range lists {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}
