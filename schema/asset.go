package schema

// Assets and the account answers.

// CreateAsset is the body of create-asset.
var CreateAsset = object("CreateAssetRequest", props{
	"file": file().about("An image (PNG, JPEG, GIF, WebP, SVG) or audio (MP3, WAV, WebM, OGG, M4A, AAC, FLAC) file of at most 10 MiB."),
}, "file").about("An asset to upload, as multipart/form-data.")

// AssetResponse is an uploaded asset.
var AssetResponse = object("Asset", props{
	"asset_id":          str(),
	"file_name":         str(),
	"content_type":      str(),
	"file_size":         number(),
	"url":               str().about("Where agentry serves the asset's bytes (with the API key)."),
	"created_timestamp": number(),
})

// ConcurrencyResponse is the answer of get-concurrency.
var ConcurrencyResponse = object("ConcurrencyResponse", props{
	"current_concurrency":          integer(),
	"concurrency_limit":            integer(),
	"base_concurrency":             integer(),
	"purchased_concurrency":        integer(),
	"concurrency_purchase_limit":   integer(),
	"remaining_purchase_limit":     integer(),
	"reserved_inbound_concurrency": integer(),
	"concurrency_burst_enabled":    boolean(),
	"concurrency_burst_limit":      integer(),
})

// APIKeyInfoResponse is the answer of get-api-key-info.
var APIKeyInfoResponse = object("ApiKeyInfoResponse", props{
	"org_id":       str().about("The workspace's id."),
	"org_name":     str().about("The workspace's name."),
	"api_key_name": str().null().about("The key's label; null when it has none."),
}, "org_id", "org_name", "api_key_name")
