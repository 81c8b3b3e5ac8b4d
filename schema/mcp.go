package schema

// MCPToolDefinition is one tool an MCP server lists, as get-mcp-tools
// answers it.
var MCPToolDefinition = object("MCPToolDefinition", props{
	"name":        str(),
	"description": str(),
	"inputSchema": mapOf(anyValue()).about("The JSON Schema of the tool's arguments, as the server sent it."),
}, "name", "description", "inputSchema").about("A tool of an MCP server.")
