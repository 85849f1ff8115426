import Subprocess
import TOMLKit
import Collections
import Histogram
import ServiceLifecycle
