import os
import sys

# The handler package is imported the way the LLM image does: serving/ on the Python path.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
