package agentry

// Rules a client can apply before it sends anything: the rules of the
// phone number and knowledge base services that need no database, for
// request bodies whose shapes package schema has already checked. agentry
// apply checks configuration files with them, so that a file the server
// would refuse is reported, with its line, before any request is sent.

// CheckPhoneFields applies the rules of update-phone-number's fields that
// need no database: binding lists (weights in (0, 1] that add up to 1, no
// entry twice, at most MaxBindings, version references), country codes, the
// fallback number's form and the transport.
func CheckPhoneFields(f Fields) error {
	return applyPhoneFields(&Phone{}, Fields{}, f)
}

// CheckNewKnowledgeBase applies the rules of create-knowledge-base that
// need no database: chunk sizes (zero takes the default) with the minimum
// below the maximum, and the sources (absolute http or https URLs, at most
// MaxKnowledgeBaseFiles files of at most MaxKnowledgeBaseFileBytes each).
func CheckNewKnowledgeBase(req CreateKnowledgeBaseRequest) error {
	if req.MaxChunkSize == 0 {
		req.MaxChunkSize = DefaultMaxChunkSize
	}
	if req.MinChunkSize == 0 {
		req.MinChunkSize = DefaultMinChunkSize
	}
	if req.MinChunkSize >= req.MaxChunkSize {
		return Errorf(EINVALID, "min_chunk_size: must be less than max_chunk_size (%d), got %d", req.MaxChunkSize, req.MinChunkSize)
	}
	return checkSources(req.Sources)
}
