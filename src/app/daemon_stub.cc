#include "app/daemon.h"
namespace pxed::app {
int serve_main(const ServeOptions&) { return 2; }
}  // namespace pxed::app
