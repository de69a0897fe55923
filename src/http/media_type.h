// Content-Type for a served file, chosen from its name. Pure.
#pragma once

#include <string_view>

namespace pxed::http {

// application/efi for .efi (edk2 HTTP Boot accepts a file only with that type or a .efi/.iso/.img
// URL), text/plain for boot scripts and configs (.ipxe, .cfg, .txt, ...), a few web types for
// the dashboard, application/octet-stream for everything else. The extension is matched
// without regard to case (BOOTX64.EFI).
std::string_view media_type_for(std::string_view path);

}  // namespace pxed::http
